import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { opaqueInstanceId } from "../harness/protocol.ts";
import { generateInstance, getDataset, listDatasets } from "../harness/registry.ts";
import { cajal } from "./helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";

/** The staged copy of a small recording (tests never download; the mirror below serves this copy). */
const SHARED_M1 = path.resolve(REPO_ROOT, "..", "shared", "datasets", "m1_reaching_dyer2017_dad", "original");

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("cli");
});
afterAll(async () => {
  await t.drop();
});

describe("cajal CLI", () => {
  it("run --json prints one JSON array of results on stdout and progress on stderr", async () => {
    const { code, stdout, stderr } = await cajal(
      ["run", "--task", "feature-recovery", "--dataset", "sparse-linear", "--method", "random", "--split", "dev", "--json"],
      {
        DATABASE_URL: t.url,
      },
    );
    expect(code).toBe(0);
    const results = JSON.parse(stdout) as Record<string, unknown>[];
    // The references and the floor references always run with the selected method.
    expect(results.map((r) => r.method).sort()).toEqual(["floor-constant", "floor-shape", "floor-shortcut", "oracle", "random"]);
    for (const r of results) {
      for (const key of [
        "method",
        "task",
        "dataset",
        "split",
        "status",
        "score",
        "ciLow",
        "ciHigh",
        "normalized",
        "instances",
        "runtimeMs",
      ]) {
        expect(r).toHaveProperty(key);
      }
      expect(r.status).toBe("ok");
      expect(r.split).toBe("dev");
      expect(r.instances).toBe(6);
      expect(typeof r.score).toBe("number");
    }
    expect(stderr).toMatch(/suite \(dev\) .* 30\/30 .*ETA/);
    // A second run finds everything done.
    const again = await cajal(
      ["run", "--task", "feature-recovery", "--dataset", "sparse-linear", "--method", "random", "--split", "dev", "--json"],
      { DATABASE_URL: t.url },
    );
    expect((JSON.parse(again.stdout) as { cached: boolean }[]).every((r) => r.cached)).toBe(true);
  });

  it("unknown names exit non-zero and list what exists", async () => {
    const method = await cajal(["run", "--method", "no-such-method"], { DATABASE_URL: t.url });
    expect(method.code).toBe(2);
    expect(method.stdout).toBe("");
    expect(method.stderr).toMatch(/unknown method "no-such-method"; available methods: .*oracle.*random/);
    const dataset = await cajal(["run", "--task", "feature-recovery", "--dataset", "nope"], { DATABASE_URL: t.url });
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toMatch(
      `unknown dataset "nope" for task feature-recovery; available datasets: ${listDatasets("feature-recovery")
        .map((d) => d.slug)
        .join(", ")}`,
    );
    const task = await cajal(["run", "--task", "nope"], { DATABASE_URL: t.url });
    expect(task.stderr).toMatch(/available tasks: feature-recovery/);
    const split = await cajal(["run", "--split", "private"], { DATABASE_URL: t.url });
    expect(split.code).toBe(2);
    expect(split.stderr).toMatch(/split must be "dev" or "official"/);
    const flag = await cajal(["run", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --bogus for `cajal run`\noptions of `cajal run`: --task T…, --dataset D…/);
  });

  it("a database that is down gives one clear line and exit code 1", async () => {
    const { code, stderr } = await cajal(["run", "--method", "random", "--split", "dev"], {
      DATABASE_URL: "postgresql://postgres:x@127.0.0.1:9/cajal",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/cajal: cannot reach postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:9\/cajal \(connection refused\)/);
  });

  it("export writes PROTOCOL.md input directories, with truth for dev only", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "cajal-export-"));
    const ok = await cajal([
      "export",
      "--task",
      "feature-recovery",
      "--dataset",
      "sparse-linear",
      "--split",
      "dev",
      "--out",
      out,
      "--with-truth",
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/exported 6 instances of feature-recovery\/sparse-linear\/dev/);
    const taskJson = JSON.parse(readFileSync(path.join(out, "sparse-linear", "dev", "0", "task.json"), "utf8"));
    const devZero = generateInstance(getDataset("feature-recovery", "sparse-linear"), "dev", 0);
    expect(taskJson).toMatchObject({
      protocol: 1,
      task: "feature-recovery",
      taskVersion: 1,
      // Methods are given an opaque id, never "sparse-linear/dev/0".
      instance: opaqueInstanceId(devZero),
      params: devZero.params,
    });
    expect(taskJson.inputs.activations).toEqual({ file: "activations.npy", dtype: "float32", shape: devZero.inputs.activations?.shape });
    expect(existsSync(path.join(out, "sparse-linear", "dev", "0", "truth", "features.npy"))).toBe(true);
    const refused = await cajal([
      "export",
      "--task",
      "feature-recovery",
      "--dataset",
      "sparse-linear",
      "--split",
      "official",
      "--out",
      out,
      "--with-truth",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/dev/);
  });

  it("--method PATH runs an external method folder and rejects a bad manifest naming each field", async () => {
    const ok = await cajal(
      [
        "run",
        "--method",
        "./examples/python-random",
        "--task",
        "feature-recovery",
        "--dataset",
        "sparse-linear",
        "--split",
        "dev",
        "--json",
      ],
      {
        DATABASE_URL: t.url,
      },
    );
    expect(ok.code).toBe(0);
    const external = (JSON.parse(ok.stdout) as { method: string; status: string; instances: number }[]).find(
      (r) => r.method === "python-random",
    );
    expect(external).toMatchObject({ status: "ok", instances: 6 });

    const folder = mkdtempSync(path.join(os.tmpdir(), "cajal-bad-method-"));
    writeFileSync(path.join(folder, "method.json"), JSON.stringify({ protocol: 2, id: "X", version: "one", tasks: ["nope"], command: [] }));
    const bad = await cajal(["run", "--method", folder, "--split", "dev"], { DATABASE_URL: t.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a valid method folder/);
    for (const field of ["protocol", "id", "version", "tasks", "command"])
      expect(bad.stderr).toMatch(new RegExp(`method\\.json: ${field}`));
  });

  it("list prints the registries, as JSON on request", async () => {
    const { code, stdout } = await cajal(["list", "datasets", "--json"]);
    expect(code).toBe(0);
    const datasets = JSON.parse(stdout) as { id: string; task: string; domain: string }[];
    expect(datasets.map((d) => d.id)).toEqual(expect.arrayContaining(["sparse-linear", "mixed-selectivity"]));
    const bad = await cajal(["list", "things"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/one of: tasks, datasets, methods/);
  });

  it.skipIf(!existsSync(SHARED_M1))(
    "datasets fetch downloads a recording into the data cache, verifies it, and refuses a damaged download",
    async () => {
      const mirror = mkdtempSync(path.join(os.tmpdir(), "cajal-mirror-"));
      const cache = mkdtempSync(path.join(os.tmpdir(), "cajal-cache-"));
      const served = path.join(mirror, "m1_reaching_dyer2017_dad", "original");
      mkdirSync(served, { recursive: true });
      for (const f of readdirSync(SHARED_M1)) copyFileSync(path.join(SHARED_M1, f), path.join(served, f));
      const server = http.createServer((req, res) => {
        const file = path.join(mirror, decodeURIComponent(req.url ?? "/"));
        if (!file.startsWith(mirror) || !existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-length": statSync(file).size }).end(readFileSync(file));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const env = { CAJAL_DATA_DIR: cache, CAJAL_DATA_MIRROR: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
      try {
        const first = await cajal(["datasets", "fetch", "m1_reaching_dyer2017_dad"], env);
        expect(first.stderr).toContain(`data cache: ${cache}`);
        expect(first.stdout).toMatch(/m1_reaching_dyer2017_dad\s+downloaded 2 file\(s\)/);
        expect(first.code).toBe(0);
        for (const f of readdirSync(SHARED_M1)) {
          expect(readFileSync(path.join(cache, "m1_reaching_dyer2017_dad", "original", f))).toEqual(readFileSync(path.join(SHARED_M1, f)));
        }
        const again = await cajal(["datasets", "fetch", "m1_reaching_dyer2017_dad"], env);
        expect(again.stdout).toMatch(/present \(2 files verified\)/);

        // A mirror serving other bytes: the error names the file and URL, and nothing half-written stays.
        const victim = readdirSync(served)[0] as string;
        writeFileSync(path.join(served, victim), Buffer.alloc(statSync(path.join(served, victim)).size, 7));
        rmSync(path.join(cache, "m1_reaching_dyer2017_dad", "original", victim));
        const bad = await cajal(["datasets", "fetch", "m1_reaching_dyer2017_dad"], env);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain(victim);
        expect(bad.stderr).toContain(env.CAJAL_DATA_MIRROR);
        expect(readdirSync(path.join(cache, "m1_reaching_dyer2017_dad", "original")).some((f) => f.includes(".part"))).toBe(false);
        expect(existsSync(path.join(cache, "m1_reaching_dyer2017_dad", "original", victim))).toBe(false);

        const unknown = await cajal(["datasets", "fetch", "no_such_recording"], env);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/unknown recording "no_such_recording"; available recordings: .*hd_peyrache2015_adn/);
      } finally {
        server.close();
        rmSync(mirror, { recursive: true, force: true });
        rmSync(cache, { recursive: true, force: true });
      }
    },
  );
});
