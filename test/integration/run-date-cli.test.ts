import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runWeirSync } from "../support/weir-process.js";

/**
 * Issue 10 item 6: `weir run --date D` of a `@monthly` pipeline processed one day of the
 * month, and the next backfill skipped the month as done. A logical date names the
 * interval containing it; the manual run and the backfill's are one run.
 */
const DEFINE = join(ROOT, "src/orchestrator/define-pipeline.ts");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-rundate-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  // One row a day of 2001; the task "processes" the rows of its data interval and logs how many.
  writeFileSync(
    join(dir, "monthly.ts"),
    `import { appendFileSync } from "node:fs";
     import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};
     const days = Array.from({ length: 365 }, (_, i) => Date.UTC(2001, 0, 1) + i * 86_400_000);
     const sum = defineTask({ id: "sum", run: async (ctx) => {
       const rows = days.filter((t) => t >= ctx.interval.start.getTime() && t < ctx.interval.end.getTime()).length;
       ctx.recordRows({ in: rows, out: rows });
       appendFileSync(${JSON.stringify(join(dir, "processed.log"))}, JSON.stringify({ run: ctx.runId, start: ctx.interval.start, rows }) + "\\n");
     } });
     export default definePipeline({ id: "monthly_sales", schedule: "@monthly", startDate: "2001-01-01", tasks: [sum] });`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weir = (args: string[]) => runWeirSync(args, { WEIR_HOME: join(dir, "home") });

const processed = () =>
  readFileSync(join(dir, "processed.log"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { run: string; start: string; rows: number });

describe("weir run --date on a @monthly pipeline", () => {
  it("processes the whole month, and a backfill afterwards finds the month done (the same run)", () => {
    const file = join(dir, "monthly.ts");
    const run = weir(["run", file, "--date", "2001-03-01", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { runId: string; logicalDate: string };
    expect(summary.logicalDate).toBe("2001-03-01");
    expect(processed()).toEqual([{ run: summary.runId, start: "2001-03-01T00:00:00.000Z", rows: 31 }]);

    const backfill = weir(["backfill", file, "--from", "2001-02-01", "--to", "2001-04-30", "--json"]);
    expect(backfill.status, backfill.stderr).toBe(0);
    const report = JSON.parse(backfill.stdout) as {
      alreadySucceeded: string[];
      runs: { logicalDate: string }[];
    };
    expect(report.alreadySucceeded).toEqual(["2001-03-01T00:00:00.000Z"]);
    expect(report.runs.map((r) => r.logicalDate)).toEqual([
      "2001-02-01T00:00:00.000Z",
      "2001-04-01T00:00:00.000Z",
    ]);
    expect(processed().map((p) => p.rows)).toEqual([31, 28, 30]);

    // A day inside March is March's run again (rerun), and the user is told which logical date it got.
    const again = weir(["run", file, "--date", "2001-03-15"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      "--date 2001-03-15 is in the interval 2001-03-01T00:00Z → 2001-04-01T00:00Z (logical date 2001-03-01T00:00Z)",
    );
    const last = processed().at(-1)!;
    expect(last).toEqual({ run: summary.runId, start: "2001-03-01T00:00:00.000Z", rows: 31 });

    const list = weir(["runs", "list", "--pipeline", "monthly_sales", "--json"]);
    const runs = JSON.parse(list.stdout) as { logicalTime: string }[];
    expect(runs.map((r) => r.logicalTime).sort()).toEqual([
      "2001-02-01T00:00:00.000Z",
      "2001-03-01T00:00:00.000Z",
      "2001-04-01T00:00:00.000Z",
    ]);
  });

  it("runs an explicit span with its own logical date, and refuses one posing as the month's run", () => {
    const file = join(dir, "monthly.ts");
    const posing = weir(["run", file, "--interval", "2001-05-01..2001-05-08"]);
    expect(posing.status).toBe(2);
    expect(posing.stderr).toContain(
      "error [CONFIG_INVALID]: --interval 2001-05-01..2001-05-08 is not the interval",
    );
    const week = weir([
      "run",
      file,
      "--interval",
      "2001-05-01..2001-05-08",
      "--date",
      "2001-05-01T00:00:01Z",
      "--json",
    ]);
    expect(week.status, week.stderr).toBe(0);
    expect(processed().at(-1)).toMatchObject({ start: "2001-05-01T00:00:00.000Z", rows: 7 });
    // May itself is still missing for a backfill.
    const plan = weir([
      "backfill",
      file,
      "--from",
      "2001-05-01",
      "--to",
      "2001-05-31",
      "--dry-run",
      "--json",
    ]);
    expect(JSON.parse(plan.stdout).create).toEqual(["2001-05-01T00:00:00.000Z"]);
  });
});
