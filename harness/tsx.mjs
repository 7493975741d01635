// Loads tsx, which compiles the TypeScript sources as they are imported (no build step), for the CLI (bin/cajal.mjs)
// and the suite's worker threads (suite-thread.mjs). tsx is given this checkout's tsconfig.json: left to itself it
// looks for one from the working directory, and `@/…` imports (tsconfig's paths) would fail when Cajal is started
// from anywhere else.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
