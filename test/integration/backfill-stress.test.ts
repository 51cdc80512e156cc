import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore, RunRecord } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas, ROOT, spawnWeir, waitFor, withStore } from "../support/weir-process.js";

/**
 * Backfills of one store from several real `weir backfill` processes (issue 9, items 2
 * and 3): two processes over the same 60 dates must run every date exactly once, and a
 * backfill killed with SIGKILL at random moments, then run again, must leave every date
 * present once and succeeded, nothing `running`, and must never report a date as skipped
 * unless it is done or held by a live process. Once with a shared SQLite file, once with
 * a PostgreSQL schema. Each process has its own home (the DuckDB warehouse file allows one
 * process at a time); only the metadata store is shared, through WEIR_METADATA_URL.
 */
const PG_PREFIX = `weir_bfs_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
const children: ChildProcess[] = [];
let dir: string;

const FROM = "2024-01-01";
const TO = "2024-02-29"; // 60 daily logical dates
const ALL_DATES = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-bfs-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "weir.config.ts"),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, "src/config/project-config.ts"))};
     export default defineConfig({ pipelines: ["pipelines"] });`,
  );
  mkdirSync(join(dir, "pipelines"), { recursive: true });
  // Two tasks that take a little time, so processes overlap and a kill lands mid-run. An
  // attempt a kill interrupts is a zombie and retries per policy when its run is resumed.
  writeFileSync(
    join(dir, "pipelines", "daybook.pipeline.ts"),
    `import { definePipeline, defineTask } from ${JSON.stringify(join(ROOT, "src/orchestrator/define-pipeline.ts"))};
     const pause = () => new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
     const a = defineTask({ id: "a", run: async () => { await pause(); return 1; } });
     const b = defineTask({ id: "b", dependsOn: ["a"], run: async (ctx) => { await pause(); return ctx.outputOf<number>("a") + 1; } });
     export default definePipeline({
       id: "daybook", schedule: "@daily", startDate: "2024-01-01", catchup: false,
       retries: 2, retryDelay: "100ms", tasks: [a, b],
     });`,
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable && schemas.length > 0) await dropSchemas(...schemas);
});

interface Backend {
  name: string;
  /** A fresh, empty metadata store's URL for WEIR_METADATA_URL. */
  fresh(tag: string): string;
}

const BACKENDS: Backend[] = [
  { name: "SQLite", fresh: (tag) => join(dir, `meta-${tag}.db`) },
  ...(postgresAvailable
    ? [
        {
          name: "PostgreSQL",
          fresh: (tag: string) => {
            schemas.push(`${PG_PREFIX}_${tag}`);
            return `${POSTGRES_URL}?schema=${PG_PREFIX}_${tag}`;
          },
        },
      ]
    : []),
];

interface BackfillJson {
  runs: { runId: string; logicalDate: string; state: string }[];
  skipped: string[];
  held?: { logicalDate: string; runId: string; owner?: string }[];
  reaped?: { logicalDate: string; runId: string }[];
}

function backfill(metadataUrl: string, home: string, env: Record<string, string> = {}) {
  return spawnWeir(
    ["backfill", "daybook", "--from", FROM, "--to", TO, "--concurrency", "4", "--json"],
    {
      WEIR_CONFIG: join(dir, "weir.config.ts"),
      WEIR_HOME: join(dir, home),
      WEIR_METADATA_URL: metadataUrl,
      WEIR_DUCKDB_THREADS: "1",
      WEIR_DUCKDB_MEMORY_LIMIT: "256MB",
      ...env,
    },
    children,
  );
}

const runsOf = (store: MetadataStore) => store.runs.list({ pipeline: "daybook", limit: 100_000 });

/** Runs by logical time; fails when a date has more than one run. */
function oneRunPerDate(runs: readonly RunRecord[]): Map<string, RunRecord> {
  const byDate = new Map<string, RunRecord>();
  for (const run of runs) {
    expect(byDate.get(run.logicalTime), `two runs for ${run.logicalTime}`).toBeUndefined();
    byDate.set(run.logicalTime, run);
  }
  return byDate;
}

describe.each(BACKENDS)("weir backfill under concurrency and kill -9 ($name metadata store)", (backend) => {
  it("two backfills of the same 60 dates sharing one store run every date exactly once (3 rounds)", async () => {
    for (let round = 0; round < 3; round++) {
      const url = backend.fresh(`pair${round}`);
      const first = backfill(url, `pair${round}-a`);
      const second = backfill(url, `pair${round}-b`);
      const codes = await Promise.all([first.exited, second.exited]);
      expect(codes, first.stderr() + second.stderr()).toEqual([0, 0]);
      const reports = [first, second].map((p) => JSON.parse(p.stdout()) as BackfillJson);

      const runs = await withStore(url, runsOf);
      const byDate = oneRunPerDate(runs);
      expect([...byDate.keys()].sort()).toEqual(ALL_DATES);
      expect(runs.filter((r) => r.state !== "succeeded")).toEqual([]);
      // Each date was executed by exactly one process; the other reported it skipped.
      const ran = reports.map((r) => r.runs.map((x) => x.logicalDate).sort());
      expect([...ran[0]!, ...ran[1]!].sort()).toEqual(ALL_DATES);
      for (const r of reports) expect(r.runs.every((x) => x.state === "succeeded")).toBe(true);
      expect([...reports[0]!.skipped].sort()).toEqual(ran[1]);
      expect([...reports[1]!.skipped].sort()).toEqual(ran[0]);
    }
  });

  it("a backfill killed with SIGKILL at random moments, then run again, ends with every date once and succeeded", async () => {
    const url = backend.fresh("kill");
    const env = { WEIR_HEARTBEAT_TIMEOUT_MS: "1500" };
    const store = await openMetadataStore(url);
    try {
      const succeeded = async () => (await runsOf(store)).filter((r) => r.state === "succeeded").length;
      for (let kill = 0; kill < 3; kill++) {
        const before = await succeeded();
        const victim = backfill(url, "kill", env);
        const target = Math.min(55, before + 2 + Math.floor(Math.random() * 12));
        await waitFor(
          `${target} runs to succeed`,
          async () => victim.child.exitCode !== null || (await succeeded()) >= target,
        );
        await new Promise((r) => setTimeout(r, Math.random() * 100));
        victim.child.kill("SIGKILL");
        await victim.exited;
        oneRunPerDate(await runsOf(store));
      }
      const leftRunning = (await runsOf(store))
        .filter((r) => r.state === "running")
        .map((r) => r.logicalTime);
      expect(leftRunning.length).toBeGreaterThan(0);
      // The plan names them as runs to continue, with the process that left them.
      const dry = spawnWeir(
        ["backfill", "daybook", "--from", FROM, "--to", TO, "--dry-run"],
        {
          WEIR_CONFIG: join(dir, "weir.config.ts"),
          WEIR_HOME: join(dir, "kill"),
          WEIR_METADATA_URL: url,
          ...env,
        },
        children,
      );
      expect(await dry.exited, dry.stderr()).toBe(0);
      expect(dry.stdout()).toContain(`${leftRunning.length} run(s) nobody executes to continue`);
      expect(dry.stdout()).toMatch(/▸ \S+ \(run_\w+, left running by [^:\s]+:\d+:\w+, last heartbeat /);

      let complete = false;
      const redone = new Set<string>();
      for (let rerun = 0; rerun < 5 && !complete; rerun++) {
        const again = backfill(url, "kill", env);
        // 1 (TASK_FAILED) when a run killed mid-task used its last try: the next backfill reruns it.
        expect([0, 1], again.stderr()).toContain(await again.exited);
        const report = JSON.parse(again.stdout()) as BackfillJson;
        const byDate = oneRunPerDate(await runsOf(store));
        // A date is only ever reported skipped when it is done, or held by a process named.
        const held = new Set((report.held ?? []).map((h) => h.logicalDate));
        for (const date of report.skipped) {
          expect(
            byDate.get(date)?.state === "succeeded" || held.has(date),
            `${date} skipped as ${byDate.get(date)?.state}`,
          ).toBe(true);
        }
        for (const r of [...(report.reaped ?? []), ...(report.held ?? [])]) redone.add(r.logicalDate);
        for (const r of report.runs) redone.add(r.logicalDate);
        complete = ALL_DATES.every((d) => byDate.get(d)?.state === "succeeded");
      }
      expect(complete).toBe(true);
      const byDate = oneRunPerDate(await runsOf(store));
      expect([...byDate.keys()].sort()).toEqual(ALL_DATES);
      expect(await store.runs.count({ pipeline: "daybook", states: ["running", "queued", "failed"] })).toBe(
        0,
      );
      // The runs the killed processes left running were picked up again, not skipped.
      for (const date of leftRunning) expect(redone.has(date), date).toBe(true);
    } finally {
      await store.close();
    }
  });
});
