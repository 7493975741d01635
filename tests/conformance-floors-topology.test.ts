// The official-split conformance checks (issue 10, item 9; tests/helpers/conformance-floors.ts) on topology's datasets.
import { describeFloors } from "./helpers/conformance-floors.ts";

describeFloors("topology");
