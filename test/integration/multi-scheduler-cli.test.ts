import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import {
  dropSchemas,
  ROOT,
  spawnWeir,
  type WeirProcess,
  waitFor,
  withStore,
} from "../support/weir-process.js";

/**
 * Three `weir scheduler` processes share one PostgreSQL metadata store (each has its own
 * home, so its own warehouse file) and catch up ten days of a daily pipeline with
 * `maxActiveRuns: 1`. Every date must get exactly one run, every task must execute exactly
 * once, and no two runs may ever execute at the same time, whichever scheduler runs them.
 */
const SCHEMA = `weir_msched_${randomBytes(4).toString("hex")}`;
const DATES = Array.from({ length: 10 }, (_, i) => `2024-03-${String(i + 1).padStart(2, "0")}`);
const started: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-msched-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({
       pipelines: ["pipelines"],
       scheduler: { tick: "50ms", heartbeatTimeout: "3s", reapInterval: "500ms", shutdownGrace: "2s" },
     });`,
  );
  mkdirSync(join(dir, "pipelines", "daily"), { recursive: true });
  // "a" marks when the run begins, "b" (after a) when it ends, on the machine's monotonic
  // clock (one clock for every process), with the scheduler process that executed it.
  writeFileSync(
    join(dir, "pipelines", "daily", "pipeline.ts"),
    `import { appendFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"))};
     const mark = (what: string, date: Date) => appendFileSync(process.env.RUN_JOURNAL!,
       [what, date.toISOString().slice(0, 10), process.pid, process.hrtime.bigint() / 1000n].join(" ") + "\\n");
     const a = defineTask({ id: "a", run: async (ctx) => {
       mark("begin", ctx.logicalDate);
       await new Promise((r) => setTimeout(r, 60));
     } });
     const b = defineTask({ id: "b", dependsOn: ["a"], run: async (ctx) => {
       await new Promise((r) => setTimeout(r, 60));
       mark("end", ctx.logicalDate);
     } });
     export default definePipeline({
       id: "daily", schedule: "@daily", startDate: "2024-03-01", endDate: "2024-03-10",
       catchup: true, maxActiveRuns: 1, tasks: [a, b],
     });`,
  );
});
afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(SCHEMA);
});

describe.skipIf(!postgresAvailable)("several weir schedulers on one PostgreSQL metadata store", () => {
  const url = `${POSTGRES_URL}?schema=${SCHEMA}`;

  it("catch up 10 days with maxActiveRuns 1: one run per date, each task once, never two runs at once", async () => {
    const journal = join(dir, "journal.txt");
    const schedulers: WeirProcess[] = [0, 1, 2].map((i) =>
      spawnWeir(
        ["scheduler"],
        {
          WEIR_CONFIG: join(dir, "weir.config.ts"),
          WEIR_HOME: join(dir, `home-${i}`),
          WEIR_METADATA_URL: url,
          RUN_JOURNAL: journal,
        },
        started,
      ),
    );
    await waitFor(
      "the 10 runs to succeed",
      async () =>
        (await withStore(url, (store) =>
          store.runs.count({ pipeline: "daily", states: ["succeeded"] }).catch(() => 0),
        )) === 10,
      90_000,
    );
    for (const s of schedulers) s.child.kill("SIGTERM");
    expect(await Promise.all(schedulers.map((s) => s.exited))).toEqual([0, 0, 0]);

    await withStore(url, async (store) => {
      const runs = await store.runs.list({ pipeline: "daily", limit: 100 });
      expect(runs.map((r) => r.logicalDate).sort()).toEqual(DATES);
      expect(runs.every((r) => r.state === "succeeded" && r.runType === "scheduled")).toBe(true);
      for (const run of runs) {
        const attempts = await store.tasks.attempts(run.id);
        expect(attempts.map((a) => [a.taskId, a.attempt, a.state]).sort()).toEqual([
          ["a", 1, "success"],
          ["b", 1, "success"],
        ]);
      }
    });

    const lines = existsSync(journal) ? readFileSync(journal, "utf8").trim().split("\n") : [];
    const marks = lines.map((l) => {
      const [what, date, pid, at] = l.split(" ");
      return { what: what!, date: date!, pid: pid!, at: Number(at) };
    });
    // Each date began and ended exactly once.
    expect(
      marks
        .filter((m) => m.what === "begin")
        .map((m) => m.date)
        .sort(),
    ).toEqual(DATES);
    expect(
      marks
        .filter((m) => m.what === "end")
        .map((m) => m.date)
        .sort(),
    ).toEqual(DATES);
    // Runs do not overlap: in the order they began, each begins after the one before ended.
    const spans = DATES.map((date) => ({
      begin: marks.find((m) => m.what === "begin" && m.date === date)!.at,
      end: marks.find((m) => m.what === "end" && m.date === date)!.at,
    })).sort((x, y) => x.begin - y.begin);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.begin).toBeGreaterThan(spans[i - 1]!.end);
    // Nobody lost a race it should not have entered: a run is claimed before it starts.
    for (const s of schedulers) expect(s.stdout() + s.stderr()).not.toContain("did not execute here");
    const executors = new Set(marks.map((m) => m.pid));
    console.info(`10 runs executed by ${executors.size} of 3 schedulers`);
  }, 120_000);
});
