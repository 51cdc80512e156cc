import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas, ROOT, spawnWeir, waitFor, withStore } from "../support/weir-process.js";

/**
 * Pool slots held by a process killed with SIGKILL (issue 9, item 4): with no scheduler
 * running, the next `weir run` that needs the slot reaps the dead attempt once its
 * heartbeat is stale and runs, instead of waiting forever; the killed run is then
 * resumed by `weir run` of its date, not run twice.
 */
const PG_SCHEMA = `weir_pool_${process.pid}_${Date.now().toString(36)}`;
const children: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-pool-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({ pipelines: ["pipelines"] });`,
  );
  mkdirSync(join(dir, "pipelines"), { recursive: true });
  // The task takes the pool's only slot; with POOL_HANG=1 it hangs (after leaving a mark).
  writeFileSync(
    join(dir, "pipelines", "pooled.pipeline.ts"),
    `import { writeFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"))};
     const hold = defineTask({
       id: "hold", pool: "one_slot", retries: 1, retryDelay: "100ms",
       run: async (ctx) => {
         if (process.env.POOL_HANG === "1") {
           writeFileSync(process.env.POOL_MARK!, String(process.pid));
           await new Promise(() => setInterval(() => {}, 1 << 30));
         }
         return ctx.logicalDate.toISOString();
       },
     });
     export default definePipeline({ id: "pooled", pools: { one_slot: 1 }, tasks: [hold] });`,
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(PG_SCHEMA);
});

const BACKENDS = [
  { name: "SQLite", url: () => join(dir, "pool-meta.db") },
  ...(postgresAvailable ? [{ name: "PostgreSQL", url: () => `${POSTGRES_URL}?schema=${PG_SCHEMA}` }] : []),
];

describe.each(BACKENDS)("pool slots of a killed process ($name metadata store)", (backend) => {
  it("a later weir run (no scheduler) reaps the dead holder's slot once its heartbeat is stale", async () => {
    const url = backend.url();
    const mark = join(dir, `mark-${backend.name}`);
    const env = (home: string, extra: Record<string, string> = {}) => ({
      WEIR_CONFIG: join(dir, "weir.config.ts"),
      WEIR_HOME: join(dir, `home-${backend.name}-${home}`),
      WEIR_METADATA_URL: url,
      WEIR_HEARTBEAT_TIMEOUT_MS: "1000",
      ...extra,
    });
    const holder = spawnWeir(
      ["run", "pooled", "--date", "2024-01-01"],
      env("a", { POOL_HANG: "1", POOL_MARK: mark }),
      children,
    );
    await waitFor("the holder to take the slot", () => existsSync(mark));
    // While it lives, its date is its own: a second `weir run` of the date is a conflict naming it.
    const second = spawnWeir(["run", "pooled", "--date", "2024-01-01"], env("a2"), children);
    expect(await second.exited).toBe(8);
    expect(second.stderr()).toMatch(
      new RegExp(
        `error \\[RUN_CONFLICT\\]: run \\S+ of pipeline "pooled" is being executed by [^:\\s]+:${holder.child.pid}:`,
      ),
    );
    // A run of another date needs the slot: it waits for it (the holder is alive)…
    const waiter = spawnWeir(["run", "pooled", "--date", "2024-01-02", "--json"], env("b"), children);
    const timer = setTimeout(() => waiter.child.kill("SIGKILL"), 60_000);
    await waitFor("the waiter to wait for the slot", () =>
      withStore(url, async (store) => {
        const run = (await store.runs.list({ pipeline: "pooled" })).find(
          (r) => r.logicalDate === "2024-01-02",
        );
        return run !== undefined && (await store.tasks.list(run.id))[0]?.state === "queued";
      }),
    );
    // …then the holder dies. No scheduler runs: the waiter itself frees the dead slot once stale.
    holder.child.kill("SIGKILL");
    expect(await holder.exited).toBeNull();
    const killedRun = await withStore(url, async (store) => {
      expect(await store.pools.get("one_slot")).toMatchObject({ slots: 1, running: 1 });
      return (await store.runs.list({ pipeline: "pooled" })).find((r) => r.logicalDate === "2024-01-01")!;
    });
    const code = await waiter.exited;
    clearTimeout(timer);
    expect(code, `waiter still waiting for the slot after 60 s: ${waiter.stderr()}`).toBe(0);
    // Reaped by the waiter's slot claim, not by the sweep every command makes when it starts.
    expect(waiter.stderr()).not.toContain("reaped zombie attempt");
    expect(JSON.parse(waiter.stdout())).toMatchObject({ state: "succeeded", logicalDate: "2024-01-02" });
    await withStore(url, async (store) => {
      const [attempt] = await store.tasks.attempts(killedRun.id, "hold");
      expect(attempt).toMatchObject({ state: "failed", errorCode: "TASK_ZOMBIE" });
      expect(await store.pools.get("one_slot")).toMatchObject({ running: 0 });
    });

    // The killed run's date: `weir run` reaps and resumes that run instead of making a second one.
    const again = spawnWeir(["run", "pooled", "--date", "2024-01-01", "--json"], env("c"), children);
    expect(await again.exited, again.stderr()).toBe(0);
    expect(again.stderr()).toContain(
      `run ${killedRun.id} of pooled for 2024-01-01 was left running by ${killedRun.owner}`,
    );
    expect(JSON.parse(again.stdout())).toMatchObject({ runId: killedRun.id, state: "succeeded" });
    await withStore(url, async (store) => {
      expect(await store.runs.count({ pipeline: "pooled" })).toBe(2);
      expect((await store.tasks.attempts(killedRun.id, "hold")).map((a) => [a.attempt, a.state])).toEqual([
        [1, "failed"],
        [2, "success"],
      ]);
    });
  });
});
