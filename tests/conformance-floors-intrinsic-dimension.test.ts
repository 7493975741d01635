// The official-split conformance checks (issue 10, item 9; tests/helpers/conformance-floors.ts) on intrinsic-dimension's datasets.
import { describeFloors } from "./helpers/conformance-floors.ts";

describeFloors("intrinsic-dimension");
