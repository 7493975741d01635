// `cajal start` (what `npm start` runs: database, migrations, networks, the default suite, then the site) and
// `cajal serve` (the site on the results already in the database).
import { defineCommand } from "./command.ts";
import { formatResultsTable } from "./run.ts";
import { hostSchema, missingNetworks, portSchema, withDb } from "./shared.ts";

const siteOptions = {
  port: { type: "string", value: "N", help: "the site's port (default: PORT, else 3000)" },
  host: {
    type: "string",
    value: "H",
    help: "the interface to listen on (default 127.0.0.1; 0.0.0.0 behind a reverse proxy that terminates TLS)",
  },
} as const;

function siteAddress(values: { port?: string | undefined; host?: string | undefined }) {
  return { port: portSchema.parse(values.port ?? process.env.PORT ?? 3000), host: hostSchema.parse(values.host) };
}

/** Build the site if its sources changed, serve it until Ctrl+C or SIGTERM, then stop it. */
async function serveUntilStopped(port: number, host: string | undefined, url: string) {
  const { buildSite, serveSite } = await import("../site.ts");
  await buildSite({ log: (line: string) => process.stderr.write(`${line}\n`) });
  const site = await serveSite({ port, databaseUrl: url, ...(host ? { hostname: host } : {}) });
  process.stdout.write(`\nCajal is up: ${site.url}\n(press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await site.stop();
}

export const startCommand = defineCommand({
  name: "start",
  summary: "database, migrations, trained networks, the default suite (skipping finished runs), then the site",
  usage: ["start [--port N] [--host H]"],
  options: siteOptions,
  async run({ values }) {
    const { port, host } = siteAddress(values);
    const t0 = performance.now();
    await withDb(async ({ db, url, label, applied }) => {
      process.stderr.write(`database: ${label}\n`);
      if (applied.length) process.stderr.write(`migrations applied: ${applied.join(", ")}\n`);
      const { buildSite } = await import("../site.ts");
      // The site builds in a child process while the suite runs: two cores, two jobs.
      const building = buildSite({ log: (line: string) => process.stderr.write(`site: ${line}\n`) });
      building.catch(() => undefined);
      const [{ contentHashCached, networkBuilt, registerAll }, { listDatasets }] = await Promise.all([
        import("../register.ts"),
        import("../registry.ts"),
      ]);
      // Datasets whose content hash is cached register now (no instance generation); the others, and those whose
      // networks are not trained yet, register on the suite's threads, which train the networks first: no core idles.
      const datasets = listDatasets();
      const registered = await registerAll(db, { datasets: datasets.filter((d) => networkBuilt(d) && contentHashCached(d)) });
      const train = missingNetworks(datasets);
      if (train.length)
        process.stderr.write(
          `training ${train.length} networks on the suite's threads first (${train.map((r) => r.id).join(", ")}; once)\n`,
        );
      // In-process methods are single-threaded: one worker thread per core runs the suite's datasets side by side.
      const { runSuiteThreaded } = await import("../suite-threads.ts");
      const report = await runSuiteThreaded(url, registered, { split: "official", train });
      process.stdout.write(`${formatResultsTable(report.results)}\n`);
      await building;
      process.stderr.write(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      await serveUntilStopped(port, host, url);
    });
    return 0;
  },
});

export const serveCommand = defineCommand({
  name: "serve",
  summary: "serve the site on the results already in the database",
  usage: ["serve [--port N] [--host H]"],
  options: siteOptions,
  async run({ values }) {
    const { port, host } = siteAddress(values);
    await withDb(({ url }) => serveUntilStopped(port, host, url));
    return 0;
  },
});
