import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, spawnWeir, waitFor, withStore } from "../support/weir-process.js";

/**
 * A run stopped by SIGTERM (Ctrl-C, `docker stop`, systemd): what `weir` prints and what
 * the store holds must agree — interrupted and resumable, not "failed" on the screen and
 * "running" in the store — and `weir retry` continues it. Real processes, a real signal.
 */
const DEFINE = JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"));
const children: ChildProcess[] = [];
let dir: string;
let home: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-interrupt-"));
  home = join(dir, "home");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  // A project, so `weir retry` finds the pipeline by the id the run recorded.
  writeFileSync(join(dir, "weir.config.ts"), `export default { pipelines: ["pipelines"], home: "home" };`);
  mkdirSync(join(dir, "pipelines", "slow"), { recursive: true });
  const started = JSON.stringify(join(dir, "started"));
  writeFileSync(
    join(dir, "pipelines", "slow", "pipeline.ts"),
    `import { existsSync, writeFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${DEFINE};
     const slow = defineTask({ id: "slow", run: async (ctx) => {
       ctx.recordRows({ in: 3 });
       // The retry after the interruption finds the marker and finishes at once.
       if (existsSync(${started})) return "done";
       writeFileSync(${started}, ctx.runId);
       await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
     } });
     const after = defineTask({ id: "after", dependsOn: ["slow"], run: async () => "after" });
     export default definePipeline({ id: "slow", tasks: [slow, after] });`,
  );
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("SIGTERM during weir run", () => {
  it("prints interrupted, stores the run queued (resumable), and weir retry finishes it", async () => {
    const env = { WEIR_CONFIG: join(dir, "weir.config.ts"), WEIR_HOME: home };
    const run = spawnWeir(["run", "slow", "--date", "2024-03-01"], env, children);
    await waitFor("the task to start", () => existsSync(join(dir, "started")));
    run.child.kill("SIGTERM");
    const code = await run.exited;
    const out = run.stdout();
    const err = run.stderr();
    expect(code, `${out}\n${err}`).toBe(130);

    const runId = /run (run_\w+)/.exec(err)?.[1];
    expect(runId).toBeDefined();
    const summaryLine = out.split("\n").find((l) => l.startsWith("slow for 2024-03-01"));
    expect(summaryLine).toContain(`interrupted in`);
    expect(summaryLine).toContain(`(resumable: weir retry ${runId})`);
    expect(out).not.toMatch(/\bfailed\b/);
    // Read back from the store after the run let go of it: the printed word and the stored state agree.
    expect(err).toContain(
      `run ${runId} interrupted (stored as queued: no process runs it); continue it with: weir retry ${runId}`,
    );
    const stored = await withStore(join(home, "weir.db"), async (store) => ({
      run: await store.runs.get(runId!),
      tasks: Object.fromEntries((await store.tasks.list(runId!)).map((t) => [t.taskId, t.state])),
    }));
    expect(stored.run).toMatchObject({ state: "queued" });
    expect(stored.run?.owner).toBeUndefined();
    expect(stored.tasks).toEqual({ slow: "queued", after: "pending" });

    const retry = spawnWeir(["retry", runId!], env, children);
    expect(await retry.exited, retry.stderr()).toBe(0);
    expect(retry.stdout()).toContain(`continuing queued run ${runId}`);
    expect(retry.stdout()).toMatch(/slow for 2024-03-01 succeeded/);
    const finished = await withStore(join(home, "weir.db"), (store) => store.runs.get(runId!));
    expect(finished).toMatchObject({ state: "succeeded" });
  }, 120_000);
});
