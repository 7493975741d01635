// Worker-thread entry of a suite split over threads (harness/suite-threads.ts): tsx compiles the
// TypeScript here too, because loader hooks registered in the main thread do not reach workers on Node 20.
import "./tsx.mjs";

await import("./suite-threads.ts");
