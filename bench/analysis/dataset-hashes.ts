// Every dataset's task, slug, version and content hash (sha256 over its config and every official instance), as
// registration computes it, but recomputed: the .cajal/cache entry is neither read nor written, so a moved or
// refactored generator is checked against what it generates now. Diff two runs to prove a refactor changes no
// dataset version:
//   npx tsx bench/analysis/dataset-hashes.ts > /tmp/before.txt   (… refactor …)   npx tsx bench/analysis/dataset-hashes.ts | diff /tmp/before.txt -
// Optional arguments restrict it to some slugs. Unavailable datasets (a recording not in the data cache, a network not
// built) are listed with the reason instead of a hash, so a diff also shows when one became (un)available.
import { datasetContentHash } from "../../harness/register.ts";
import { listDatasets } from "../../harness/registry.ts";

const only = process.argv.slice(2);
const datasets = listDatasets()
  .filter((d) => only.length === 0 || only.includes(d.slug))
  .sort((a, b) => `${a.task}/${a.slug}`.localeCompare(`${b.task}/${b.slug}`));
let hashed = 0;
for (const dataset of datasets) {
  const t0 = performance.now();
  const reason = dataset.unavailable?.();
  const hash = reason ? `unavailable: ${reason}` : datasetContentHash(dataset, { cache: false });
  if (!reason) hashed++;
  console.log(`${dataset.task}/${dataset.slug} v${dataset.version} ${hash}`);
  process.stderr.write(`${dataset.task}/${dataset.slug}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stderr.write(`${hashed} of ${datasets.length} datasets hashed\n`);
