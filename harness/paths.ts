// Where the checkout is: every path the harness derives (.cajal/, package.json, datasets/, the site's sources)
// starts here, so no module has to count how deep it sits in the tree.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
