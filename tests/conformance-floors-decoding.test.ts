// The official-split conformance checks (issue 10, item 9; tests/helpers/conformance-floors.ts) on the datasets of latent-decoding and causal-attribution.
import { describeFloors } from "./helpers/conformance-floors.ts";

describeFloors("decoding");
