// The order in which `npm test` hands test files to vitest's two workers. On a fresh checkout vitest knows no
// durations and starts the largest files (in bytes) first, so a long file could start last and keep one worker busy
// long after the other has finished. The files below took a minute or more in a full run; they start first.
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Roughly longest first. The official-split conformance files lead: they generate every dataset's official instances
 * anyway, and cache their content hashes (.cajal/cache/dataset-hashes). The first file that registers every dataset
 * (the registered template of tests/helpers/db.ts, here browser.test.ts) then finds them cached instead of generating
 * those instances again, so service-cli.test.ts, which needs none of them, goes before it.
 */
export const SLOW_FILES: readonly string[] = [
  "tests/conformance-floors-topology.test.ts",
  "tests/conformance-floors-intrinsic-dimension.test.ts",
  "tests/conformance-floors-other.test.ts",
  "tests/conformance-floors-decoding.test.ts",
  "tests/service-cli.test.ts",
  "tests/browser.test.ts",
  "tests/cli.test.ts",
  "tests/suite-threads.test.ts",
  "tests/worker.test.ts",
  "tasks/layer-correspondence/floors.test.ts",
  "tests/conformance.test.ts",
  "tests/cli-commands.test.ts",
  "tests/taskpage-browser.test.ts",
  "datasets/artificial/rnn-head-direction/rnn-head-direction.test.ts",
  "datasets/artificial/compiled-circuits/compiled-circuits.test.ts",
];

export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index < 0 ? SLOW_FILES.length : index;
    };
    // Array.prototype.sort is stable: every other file keeps vitest's own order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
