import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DEFINE = join(ROOT, "src/orchestrator/define-pipeline.ts");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-cli-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pipelineFile(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `import { definePipeline, defineTask } from ${JSON.stringify(DEFINE)};\n${body}`);
  return file;
}

function weir(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, WEIR_HOME: join(dir, "home"), FORCE_COLOR: "0", NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("weir run", () => {
  it("prints a JSON summary with --json and records the run", async () => {
    const file = pipelineFile(
      "ok.ts",
      `const a = defineTask({ id: "a", run: async (ctx) => { ctx.recordRows({ in: 5 }); return ctx.params.who; } });
       const b = defineTask({ id: "b", dependsOn: ["a"], run: async (ctx) => { ctx.recordRows({ out: 5 }); } });
       export default definePipeline({ id: "ok", tasks: [a, b] });`,
    );
    const r = weir(["run", file, "--date", "2024-03-01", "--param", "who=me", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      pipeline: "ok",
      logicalDate: "2024-03-01",
      state: "succeeded",
      rows: { extracted: 5, loaded: 5, quarantined: 0 },
      datasets: [],
    });
    // No dataset recorded, so nothing was reconciled (rows in and out of tasks are not compared).
    expect(summary.reconciled).toBeUndefined();
    const store = await SqliteMetadataStore.open({ path: join(dir, "home", "weir.db") });
    expect(await store.getRun(summary.runId)).toMatchObject({ state: "succeeded", params: { who: "me" } });
    await store.close();
  });

  it("prints per-task lines and the reconciliation in human mode", () => {
    const file = pipelineFile(
      "human.ts",
      `export default definePipeline({ id: "human", tasks: [defineTask({ id: "only", run: async (ctx) => {
         ctx.recordRows({ in: 3, out: 3 });
         ctx.recordDataset({ dataset: "things", extracted: 3, loaded: 3, into: "t" });
       } })] });`,
    );
    const r = weir(["run", file, "--date", "2024-03-01"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ only \d+ ms/);
    expect(r.stdout).toContain("things: 3 extracted = 3 loaded into t + 0 quarantined  ✓ reconciled");
    expect(r.stdout).toContain(`warehouse: ${join(dir, "home", "warehouse.duckdb")}`);
  });

  it("exits 1 with `error [TASK_FAILED]` and the cause, without a stack unless --verbose", () => {
    const file = pipelineFile(
      "fail.ts",
      `export default definePipeline({ id: "fail", tasks: [
         defineTask({ id: "boom", run: async () => { throw new Error("the API said 503"); } }),
         defineTask({ id: "after", dependsOn: ["boom"], run: async () => 0 }),
       ] });`,
    );
    const r = weir(["run", file, "--date", "2024-03-01"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error [TASK_FAILED]: task "boom" failed: the API said 503');
    // The cause's message is in the error's already: said once, not again as "caused by".
    expect(r.stderr.split("the API said 503")).toHaveLength(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/- after skipped \(upstream boom\)/);
    const verbose = weir(["run", file, "--date", "2024-03-01", "--verbose"]);
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it("exits 2 for an invalid pipeline, naming the cycle", () => {
    const file = pipelineFile(
      "cycle.ts",
      `export default definePipeline({ id: "cyc", tasks: [
         defineTask({ id: "extract", dependsOn: ["land"], run: async () => 0 }),
         defineTask({ id: "land", dependsOn: ["extract"], run: async () => 0 }),
       ] });`,
    );
    const r = weir(["run", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error [PIPELINE_INVALID]");
    expect(r.stderr).toContain("has a cycle: extract → land → extract");
  });

  it("exits 2 for a bad date or a bad --param, and for a missing pipeline", () => {
    const file = pipelineFile(
      "p.ts",
      `export default definePipeline({ id: "p", tasks: [defineTask({ id: "a", run: async () => 0 })] });`,
    );
    const date = weir(["run", file, "--date", "2024-02-30"]);
    expect(date.status).toBe(2);
    expect(date.stderr).toContain('error [CONFIG_INVALID]: invalid date "2024-02-30": no such day');
    const param = weir(["run", file, "--param", "novalue"]);
    expect(param.status).toBe(2);
    expect(param.stderr).toContain('invalid --param "novalue": expected key=value');
    const missing = weir(["run", join(dir, "nope.ts")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("error [PIPELINE_NOT_FOUND]");
  });
});

describe("weir demo, lake ls, sql", () => {
  it("seeds, runs the customer pipeline, and the lake and warehouse can be inspected", () => {
    const demo = weir(["demo"]);
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/seeded \d+ customers into /);
    expect(demo.stdout).toMatch(
      /customers: (\d+) extracted = (\d+) loaded into dim_customers \+ (\d+) quarantined {2}✓ reconciled/,
    );
    expect(demo.stdout).toContain("lake.raw.customers");
    expect(demo.stdout).toContain("quarantine.customers");

    const ls = weir(["lake", "ls", "--json"]);
    expect(ls.status, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toMatchObject([
      { id: "lake.raw.customers", partitionColumns: ["year", "month", "day"] },
    ]);
    const parts = weir(["lake", "ls", "lake.raw.customers"]);
    expect(parts.stdout).toContain("year=2024/month=01/day=15");

    const sql = weir([
      "sql",
      "SELECT (SELECT count(*) FROM dim_customers) AS dim, (SELECT count(*) FROM lake_raw.customers) AS raw",
      "--json",
    ]);
    expect(sql.status, sql.stderr).toBe(0);
    const [{ dim, raw }] = JSON.parse(sql.stdout);
    const [, extracted, loaded] = /customers: (\d+) extracted = (\d+) loaded/.exec(demo.stdout)!.map(Number);
    expect(dim).toBe(loaded);
    expect(raw).toBeLessThanOrEqual(extracted!);
    expect(raw).toBeGreaterThan(loaded!);

    const bad = weir(["sql", "SELECT * FROM no_such_table"]);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/^error \[ENGINE_QUERY_FAILED\]/);
  });
});
