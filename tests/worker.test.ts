// Two `cajal worker` processes against one database: a submission is planned into runs (its method and the references,
// official and private splits), the worker that runs the method's slow instance is killed (SIGKILL, with its sandboxed
// method) in the middle of it, the other takes the abandoned job over once it expires, and every job ends exactly once
// with exactly one result per instance. Then the published official run is reproduced from the server, bit for bit.
import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { opaqueInstanceId } from "../harness/protocol.ts";
import { registerAll } from "../harness/register.ts";
import { generateInstance, getDataset, listMethods } from "../harness/registry.ts";
import { createServiceContext, postSubmission, type ServiceContext } from "../harness/service/api.ts";
import { INSTANCE_QUEUE } from "../harness/service/queue.ts";
import { createToken } from "../harness/service/tokens.ts";
import { type ApiServer, startApiServer } from "./helpers/api-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/db.ts";
import { rawTarGz } from "./helpers/tarball.ts";

// A small topology dataset (18 official, 18 private instances) keeps the queue test short.
const DATASET = getDataset("topology", "rnn-head-direction");
const SPLITS = ["official", "private"] as const;
// Every run of a submission comes with the references and floors its normalized score needs.
const REFERENCES = listMethods("topology")
  .filter((m) => m.kind === "reference" || m.kind === "floor")
  .map((m) => m.id);
const ENV = {
  CAJAL_PRIVATE_SECRET: "worker-test-secret",
  // An abandoned job comes back 2 s after its method's limit (8 s below); workers look every second.
  CAJAL_JOB_GRACE_SECONDS: "2",
  CAJAL_QUEUE_MAINTENANCE_SECONDS: "1",
};
// The one instance that is slow enough to be killed in the middle of (3 s, in the sandbox); the other 35 answer at once,
// so the test waits for the queue's behaviour, not for sleeps. Methods see only an opaque instance id (task.json).
const SLOW = { split: "official", index: 0 } as const;
const SLOW_ID = opaqueInstanceId(generateInstance(DATASET, SLOW.split, SLOW.index));
const METHOD = rawTarGz([
  {
    path: "method.json",
    body: JSON.stringify({
      protocol: 1,
      id: "sleepy-betti",
      version: "1.0.0",
      name: "Sleepy Betti",
      tasks: ["topology"],
      command: ["sh", "run.sh"],
      description: "Answers one loop; after 3 s on one instance.",
      authors: ["Cajal tests"],
      limits: { timeoutSeconds: 8 },
    }),
  },
  {
    path: "run.sh",
    body: `grep -q '"${SLOW_ID}"' "$CAJAL_INPUT/task.json" && sleep 3\nprintf '{"betti": [1, 1, 0]}' > "$CAJAL_OUTPUT/result.json"\necho "answered $CAJAL_TASK"\n`,
  },
]);

interface Worker {
  child: ChildProcess;
  name: string;
  lines: string[];
  exited: Promise<number | null>;
}

function startWorker(url: string): Worker {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/cajal.mjs"), "worker", "--dataset", DATASET.slug], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...ENV, DATABASE_URL: url },
    detached: true, // its own process group: killing it kills its sandboxed method too
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  const collect = (d: Buffer) => {
    const text = partial + d.toString();
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, name: `${os.hostname()}:${child.pid}`, lines, exited };
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, workers: Worker[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; worker output:\n${workers.map((w) => w.lines.slice(-30).join("\n")).join("\n---\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

let t: TestDatabase;
let ctx: ServiceContext;
let api: ApiServer;
const workers: Worker[] = [];

beforeAll(async () => {
  t = await createTestDatabase("worker", { registered: true });
  await registerAll(t.db);
  ctx = await createServiceContext(t.url);
  api = await startApiServer(ctx);
});
afterAll(async () => {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) process.kill(-(w.child.pid as number), "SIGKILL");
  }
  await api?.close();
  await ctx?.close();
  await t?.drop();
});

describe("two workers, one killed mid-job", () => {
  let submissionId: number;
  let killed: { runId: number; index: number; job: string };

  it("finishes every job exactly once, with one result per instance, the killed worker's job taken over by the other", async () => {
    const token = (await createToken(t.db, "worker-test")).token;
    const response = await postSubmission(
      ctx,
      new Request(`${api.url}/api/submissions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: new Uint8Array(METHOD),
      }),
    );
    expect(response.status).toBe(202);
    submissionId = ((await response.json()) as { id: number }).id;

    workers.push(startWorker(t.url), startWorker(t.url));

    // Wait for a worker to be inside the method's slow instance, then kill it and its sandbox.
    const started = await until(
      "a worker to start the submitted method's slow instance",
      async () => {
        const s = await t.db.submission.findUnique({ where: { id: submissionId }, select: { methodVersionId: true } });
        if (!s?.methodVersionId) return null;
        const run = await t.db.run.findFirst({ where: { methodVersionId: s.methodVersionId, split: SLOW.split }, select: { id: true } });
        if (!run) return null;
        for (const worker of workers) {
          const done = new Set(worker.lines.filter((l) => l.includes(" done cajal-instance ")).map((l) => /job=(\S+)/.exec(l)?.[1]));
          for (const line of worker.lines) {
            const m = /start cajal-instance (\{[^}]*\}) job=(\S+)/.exec(line);
            if (!m) continue;
            const data = JSON.parse(m[1] as string) as { runId: number; index: number };
            if (data.runId === run.id && data.index === SLOW.index && !done.has(m[2])) {
              return { worker, runId: data.runId, index: data.index, job: m[2] as string };
            }
          }
        }
        return null;
      },
      240_000,
      workers,
    );
    await new Promise((r) => setTimeout(r, 600)); // inside the slow instance's 3 s
    killed = started;
    const victim = started.worker;
    const survivor = workers.find((w) => w !== victim) as Worker;
    process.kill(-(victim.child.pid as number), "SIGKILL");
    const killedAt = Date.now();
    expect(await victim.exited).toBeNull();
    expect(victim.lines.some((l) => l.includes(`done cajal-instance`) && l.includes(`job=${killed.job}`))).toBe(false);

    const final = await until(
      "the submission to finish",
      async () => {
        const s = await t.db.submission.findUniqueOrThrow({ where: { id: submissionId } });
        return s.status === "finished" || s.status === "failed" ? s : null;
      },
      300_000,
      workers,
    );
    expect(final.message).toBeNull();
    expect(final.status).toBe("finished");

    // Every run: the method's and the references', on both splits, ok with one result per instance.
    const runs = await t.db.run.findMany({
      where: { submissions: { some: { submissionId } } },
      include: { methodVersion: true, results: true },
    });
    const expected = SPLITS.flatMap((split) => ["sleepy-betti", ...REFERENCES].map((m) => `${m}/${split}`)).sort();
    expect(runs.map((r) => `${r.methodVersion.methodId}/${r.split}`).sort()).toEqual(expected);
    for (const run of runs) {
      expect(run.status).toBe("ok");
      expect(run.instances).toBe(DATASET.sizes[run.split]);
      expect(run.instancesDone).toBe(run.instances);
      expect(run.results.map((r) => r.index).sort((x, y) => x - y)).toEqual(Array.from({ length: run.instances }, (_, i) => i));
    }
    const total = runs.reduce((s, r) => s + r.instances, 0);

    // The queue: one job per instance, each completed once; the killed one after a retry, by the other worker.
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; state: string; retry_count: number; data: { runId: number; index: number } }>(
        "SELECT id, state, retry_count, data FROM pgboss.job WHERE name = $1",
        [INSTANCE_QUEUE],
      );
      expect(rows).toHaveLength(total);
      expect(rows.filter((r) => r.state !== "completed")).toEqual([]);
      expect(new Set(rows.map((r) => `${r.data.runId}/${r.data.index}`)).size).toBe(total);
      const retried = rows.find((r) => r.id === killed.job);
      expect(retried?.retry_count).toBe(1);
      expect(rows.filter((r) => r.retry_count > 0).map((r) => r.id)).toEqual([killed.job]);
    } finally {
      await client.end();
    }
    const taken = await t.db.instanceResult.findUniqueOrThrow({ where: { runId_index: { runId: killed.runId, index: killed.index } } });
    expect(taken.worker).toBe(survivor.name);
    expect(taken.status).toBe("ok");
    expect(taken.log).toMatch(/answered topology/);
    // Nothing was recorded by the killed worker after it died; everything else by the other.
    const fromVictim = await t.db.instanceResult.findMany({ where: { worker: victim.name }, select: { createdAt: true } });
    expect(fromVictim.every((r) => r.createdAt.getTime() <= killedAt)).toBe(true);
    expect(await t.db.instanceResult.count({ where: { worker: { notIn: [victim.name, survivor.name] } } })).toBe(0);

    // The other worker stops cleanly on SIGTERM.
    survivor.child.kill("SIGTERM");
    expect(await survivor.exited).toBe(0);
  }, 600_000);

  it("reproduces the published official run from the server, bit for bit", async () => {
    const run = await t.db.run.findFirstOrThrow({ where: { split: "official", methodVersion: { methodId: "sleepy-betti" } } });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/cajal.mjs"), "reproduce", String(run.id), "--server", api.url], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/cajal: /);
    expect(code).toBe(0);
    expect(stdout).toContain(`reproducing sleepy-betti v1.0.0 on topology/${DATASET.slug} (official split, run ${run.id})`);
    expect(stdout).toContain(`published   ${(run.score as number).toFixed(6)}`);
    expect(stdout).toContain(`local       ${(run.score as number).toFixed(6)}`);
    expect(stdout).toContain(
      `instances: ${run.instances}/${run.instances} with identical inputs, ${run.instances}/${run.instances} with identical scores`,
    );
    expect(stdout).toContain("AGREE: identical scores");
  }, 300_000);
});
