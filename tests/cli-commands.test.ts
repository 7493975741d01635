// The command line's first-hour behaviour (issue 11): each command has its own options and help, a misplaced option is
// an error, `run` trains only the networks its datasets need and exits 1 when a run failed, and `worker` says where its
// private-split secret comes from.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cajal } from "./helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

let t: TestDatabase;
let scratch: string;
beforeAll(async () => {
  t = await createTestDatabase("cli_commands");
  scratch = mkdtempSync(path.join(os.tmpdir(), "cajal-cli-commands-"));
});
afterAll(async () => {
  await t?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("commands and their options", () => {
  it("`cajal --help` lists every command; `cajal <command> --help` shows that command's usage and options only", async () => {
    const top = await cajal(["--help"]);
    expect(top.code).toBe(0);
    for (const name of [
      "start",
      "run",
      "list",
      "serve",
      "db migrate",
      "export",
      "datasets build",
      "datasets fetch",
      "submit",
      "tokens create",
      "worker",
      "reproduce",
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  cajal ${name} +\\S`, "m"));
    }
    const run = await cajal(["run", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: cajal run \[--task T\]…/);
    for (const flag of [
      "--task T…",
      "--dataset D…",
      "--method M|PATH…",
      "--split dev|official",
      "--json",
      "--retry-failed",
      "--jobs N",
      "--no-sandbox",
    ]) {
      expect(run.stdout).toContain(`  ${flag} `);
    }
    expect(run.stdout).not.toContain("--force");
    expect(run.stdout).toMatch(/exit codes: 0 every run ok; 1 a run failed/);
    const build = await cajal(["datasets", "build", "--help"]);
    expect(build.stdout).toMatch(/^usage: cajal datasets build \[SLUG…\] \[--force\]/);
    expect(build.stdout).toContain("--force");
    expect(build.stdout).not.toContain("--task");
    // `cajal help <command>` is the same as `--help`.
    expect((await cajal(["help", "worker"])).stdout).toMatch(/^usage: cajal worker /);
  });

  it("an option of another command, an unknown one, an extra argument or an unknown command exits 2 and says what is accepted", async () => {
    const misplaced = await cajal(["run", "--force"], { DATABASE_URL: t.url });
    expect(misplaced.code).toBe(2);
    expect(misplaced.stdout).toBe("");
    expect(misplaced.stderr).toContain("cajal: --force is not an option of `cajal run` (it belongs to `cajal datasets build`)");
    expect(misplaced.stderr).toContain("options of `cajal run`: --task T…, --dataset D…, --method M|PATH…, --split dev|official, --json,");

    const fetchForce = await cajal(["datasets", "fetch", "--force"]);
    expect(fetchForce.code).toBe(2);
    expect(fetchForce.stderr).toContain("--force is not an option of `cajal datasets fetch` (it belongs to `cajal datasets build`)");

    const listTask = await cajal(["list", "datasets", "--task", "feature-recovery"]);
    expect(listTask.code).toBe(2);
    expect(listTask.stderr).toMatch(
      /--task is not an option of `cajal list` \(it belongs to `cajal run`, `cajal export`\)\noptions of `cajal list`: --json, --help/,
    );

    const unknown = await cajal(["export", "-x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option -x for `cajal export`");

    const missingValue = await cajal(["run", "--task"]);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toMatch(/`cajal run`: Option '--task <value>' argument missing/);

    const extra = await cajal(["db", "migrate", "now"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('`cajal db migrate` does not take "now"');

    const runAndTask = await cajal(["export", "--run", "1", "--task", "feature-recovery", "--out", "x.json"]);
    expect(runAndTask.code).toBe(2);
    expect(runAndTask.stderr).toContain("export --run takes only --out; drop --task");

    const command = await cajal(["runn"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "runn"; available: start, run, list, serve, db migrate, export, datasets build/);
    const subcommand = await cajal(["datasets", "train"]);
    expect(subcommand.code).toBe(2);
    expect(subcommand.stderr).toContain('unknown datasets command "train"; available: datasets build, datasets fetch');
    const none = await cajal([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("usage: cajal <command> [options]");
  });
});

describe("cajal run", () => {
  it("trains only the networks of the selected datasets, on a checkout where none is built yet", async () => {
    const artifacts = path.join(scratch, "artifacts");
    const { code, stdout, stderr } = await cajal(
      ["run", "--task", "intrinsic-dimension", "--dataset", "factor-network", "--method", "pca-90", "--split", "dev", "--json"],
      { DATABASE_URL: t.url, CAJAL_ARTIFACT_DIR: artifacts },
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/training the network the selected datasets need \(factor-network; about \d+ s, once\)/);
    expect(stderr).toMatch(/training .* 1\/1 /);
    // The other artificial datasets' networks (rnn-head-direction, torus-network, mnist-mlp, …) stay unbuilt.
    expect(readdirSync(artifacts)).toEqual(["factor-network-v1.safetensors"]);
    const results = JSON.parse(stdout) as { method: string; status: string }[];
    expect(results.find((r) => r.method === "pca-90")).toMatchObject({ status: "ok" });
    expect(results.every((r) => r.status === "ok")).toBe(true);
  });

  it("exits 1 and says how many runs failed when a method fails; the results are still printed", async () => {
    const folder = path.join(scratch, "always-fails");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, "method.json"),
      JSON.stringify({
        protocol: 1,
        id: "always-fails",
        version: "1.0.0",
        name: "Always fails",
        tasks: ["feature-recovery"],
        command: ["sh", "-c", "echo 'no answer' >&2; exit 3"],
        description: "Exits with an error on every instance.",
        authors: ["Cajal tests"],
      }),
    );
    const args = ["run", "--method", folder, "--task", "feature-recovery", "--dataset", "sparse-linear", "--split", "dev", "--no-sandbox"];
    const failed = await cajal([...args, "--json"], { DATABASE_URL: t.url });
    expect(failed.code).toBe(1);
    const results = JSON.parse(failed.stdout) as { method: string; status: string }[];
    expect(results.find((r) => r.method === "always-fails")?.status).toBe("error");
    const total = results.length;
    expect(failed.stderr.trim().split("\n").at(-1)).toBe(
      `cajal: 1 of ${total} runs failed: always-fails on feature-recovery/sparse-linear (error)`,
    );

    // Finished, so the next run shows it cached, and still fails (until --retry-failed makes it pass).
    const again = await cajal(args, { DATABASE_URL: t.url });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/always-fails .* error \(cached\)/);
    expect(again.stderr).toContain(
      `1 of ${total} runs failed: always-fails on feature-recovery/sparse-linear (error, cached); re-run failed ones with --retry-failed`,
    );
  });
});

describe("cajal worker", () => {
  it("refuses to start on DATABASE_URL without CAJAL_PRIVATE_SECRET, naming the variable and how to make one", async () => {
    const { code, stdout, stderr } = await cajal(["worker", "--no-sandbox"], { DATABASE_URL: t.url, CAJAL_PRIVATE_SECRET: "" });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/cajal: a worker on DATABASE_URL .* set CAJAL_PRIVATE_SECRET to the server's secret.*openssl rand -hex 32/);
  });
});
