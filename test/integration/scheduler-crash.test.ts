import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/**
 * kill -9 the scheduler in the middle of a run, on real processes: the restarted scheduler
 * must not run completed tasks again, must mark the interrupted attempt failed (a zombie:
 * its heartbeat stopped) and retry it per policy, and must finish the run; then SIGTERM
 * stops it cleanly. Once with the embedded SQLite store, once with PostgreSQL.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const PG_SCHEMA = `weir_crash_${process.pid}_${Date.now().toString(36)}`;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-crash-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({
       pipelines: ["pipelines"],
       scheduler: { tick: "100ms", heartbeatTimeout: "1s", reapInterval: "200ms", shutdownGrace: "2s" },
     });`,
  );
  mkdirSync(join(dir, "pipelines", "crashy"), { recursive: true });
  // Every execution of a task appends a line to the journal; b hangs in its first attempt
  // (after leaving a mark) so the test can kill the process while it runs.
  writeFileSync(
    join(dir, "pipelines", "crashy", "pipeline.ts"),
    `import { appendFileSync, existsSync, writeFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"))};
     const journal = (line: string) => appendFileSync(process.env.CRASH_JOURNAL!, line + "\\n");
     const a = defineTask({ id: "a", run: async (ctx) => { journal("a#" + ctx.attempt); return 20; } });
     const b = defineTask({
       id: "b", dependsOn: ["a"], retries: 2, retryDelay: "200ms",
       run: async (ctx) => {
         journal("b#" + ctx.attempt + " started");
         if (!existsSync(process.env.CRASH_MARK!)) {
           writeFileSync(process.env.CRASH_MARK!, String(process.pid));
           await new Promise(() => setInterval(() => {}, 1 << 30));
         }
         journal("b#" + ctx.attempt + " done");
         return ctx.outputOf<number>("a") + 1;
       },
     });
     const c = defineTask({ id: "c", dependsOn: ["b"], run: async (ctx) => { journal("c#" + ctx.attempt + " got " + ctx.outputOf<number>("b")); } });
     export default definePipeline({
       id: "crashy", schedule: "@daily", startDate: "2024-01-01", catchup: false, maxActiveRuns: 1,
       tasks: [a, b, c],
     });`,
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
    await client.end();
  }
});

interface Backend {
  name: string;
  /** WEIR_METADATA_URL for the scheduler processes ("" = the SQLite file in the home). */
  url: string;
  /** Where this backend's journal and mark files go. */
  tag: string;
}

function startScheduler(backend: Backend): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "scheduler"], {
    cwd: ROOT,
    env: {
      ...process.env,
      WEIR_CONFIG: join(dir, "weir.config.ts"),
      WEIR_HOME: join(dir, `home-${backend.tag}`),
      WEIR_METADATA_URL: backend.url,
      CRASH_JOURNAL: join(dir, `journal-${backend.tag}.txt`),
      CRASH_MARK: join(dir, `b-started-${backend.tag}`),
      FORCE_COLOR: "0",
      NO_COLOR: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const journal = (backend: Backend) => {
  const file = join(dir, `journal-${backend.tag}.txt`);
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
};

async function withStore<T>(backend: Backend, fn: (store: MetadataStore) => Promise<T>): Promise<T> {
  const store = await openMetadataStore(backend.url || join(dir, `home-${backend.tag}`, "weir.db"));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const BACKENDS: Backend[] = [
  { name: "SQLite", url: "", tag: "sqlite" },
  ...(postgresAvailable
    ? [{ name: "PostgreSQL", url: `${POSTGRES_URL}?schema=${PG_SCHEMA}`, tag: "pg" }]
    : []),
];

describe.each(BACKENDS)("weir scheduler crash safety ($name metadata store)", (backend) => {
  it("resumes a run after kill -9: done tasks are not re-run, the killed attempt fails and is retried", async () => {
    const first = startScheduler(backend);
    await waitFor("b's first attempt to start", () => existsSync(join(dir, `b-started-${backend.tag}`)));
    expect(journal(backend)).toEqual(["a#1", "b#1 started"]);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull(); // killed by the signal, no clean-up ran

    const [runId, beforeRestart] = await withStore(backend, async (store) => {
      const [run] = await store.runs.list({ pipeline: "crashy" });
      return [run!.id, { run, tasks: await store.tasks.list(run!.id) }] as const;
    });
    expect(beforeRestart.run).toMatchObject({ state: "running", runType: "scheduled" });
    expect(Object.fromEntries(beforeRestart.tasks.map((t) => [t.taskId, t.state]))).toEqual({
      a: "success",
      b: "running",
      c: "pending",
    });

    const second = startScheduler(backend);
    await waitFor("the run to finish", () =>
      withStore(backend, async (store) => (await store.runs.get(runId))?.state === "succeeded"),
    );
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain("scheduler stopped");
    expect(second.output()).toMatch(/reaped zombie attempt b#1 of run \S+ \(crashy\)/);

    // a ran once; b's killed attempt never finished, its retry did; c saw b's output.
    expect(journal(backend)).toEqual(["a#1", "b#1 started", "b#2 started", "b#2 done", "c#1 got 21"]);
    await withStore(backend, async (store) => {
      expect((await store.tasks.attempts(runId, "a")).map((a) => [a.attempt, a.state])).toEqual([
        [1, "success"],
      ]);
      const b = await store.tasks.attempts(runId, "b");
      expect(b.map((a) => [a.attempt, a.state])).toEqual([
        [1, "failed"],
        [2, "success"],
      ]);
      expect(b[0]!.error).toMatch(/heartbeat/i);
      expect(Object.fromEntries((await store.tasks.list(runId)).map((t) => [t.taskId, t.state]))).toEqual({
        a: "success",
        b: "success",
        c: "success",
      });
      // No run was created twice for the same date, and nothing is left running.
      expect(await store.runs.count({ pipeline: "crashy" })).toBe(1);
      expect(await store.runs.count({ states: ["running", "queued"] })).toBe(0);
    });
  });
});
