import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { createMetricsEndpoint } from "../../src/monitoring/metrics-endpoint.js";
import { parseExposition, promtool, runPromtool } from "../support/prometheus-tools.js";

/**
 * Issue 15: runs executed by `weir run` in another process show in the metrics of a store
 * opened before they ran (counters come from the store, not from this process), lake
 * commits count from the manifests, and `weir alerts generate` writes rules and promtool
 * tests from the project's pipelines and suites.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "weir-monitoring-"));
  mkdirSync(join(project, "pipelines"), { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(project, "weir.config.ts"),
    `import { defineConfig } from "weir";\nexport default defineConfig({ pipelines: ["pipelines"] });\n`,
  );
  writeFileSync(
    join(project, "pipelines", "hello.pipeline.ts"),
    `import { definePipeline, defineTask } from "weir";
     export default definePipeline({ id: "hello", schedule: "@daily", notifications: { sla: "1h" }, tasks: [
       defineTask({ id: "land", datasets: { writes: ["lake.raw.hello"] }, run: async (ctx) => {
         await ctx.lake.dataset("lake.raw.hello").write({ engine: ctx.engine, sql: "SELECT 42 AS answer" }, { mode: "overwrite" });
       } }),
     ] });`,
  );
  writeFileSync(
    join(project, "pipelines", "broken.pipeline.ts"),
    `import { definePipeline, defineTask } from "weir";
     export default definePipeline({ id: "broken", tasks: [
       defineTask({ id: "fail", run: async () => { throw new Error("no"); } }),
     ] });`,
  );
  writeFileSync(
    join(project, "hello.suite.yaml"),
    "name: hello_suite\ndataset: lake.raw.hello\nfreshness: { column: answer, maxAge: 2d }\n",
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function weir(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
  delete env.WEIR_HOME;
  delete env.WEIR_CONFIG;
  delete env.WEIR_METADATA_URL;
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: project,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

describe("metrics and alerts across processes", () => {
  let store: MetadataStore;
  afterAll(async () => store?.close());

  it("counts runs and lake commits made by `weir run` in other processes", async () => {
    // The store is opened (and a scrape taken) before any run exists.
    const first = await weir(["run", "hello", "--date", "2024-05-01"]);
    expect(first.code, first.stderr).toBe(0);
    store = await openMetadataStore(join(project, ".weir", "weir.db"));
    const scrape = createMetricsEndpoint(store, { lakeRoot: join(project, ".weir", "lake") });
    const before = parseExposition((await scrape()).body);
    expect(before.get('data_pipeline_runs_total{pipeline_name="hello",status="succeeded"}')).toBe(1);

    // One after the other: both would open the project's DuckDB warehouse file.
    const second = await weir(["run", "hello", "--date", "2024-05-02"]);
    const broken = await weir(["run", "broken", "--date", "2024-05-02"]);
    expect(second.code, second.stderr).toBe(0);
    expect(broken.code, broken.stderr).not.toBe(0);
    expect(broken.stderr).toContain("no");

    const { body } = await scrape();
    const after = parseExposition(body);
    expect(after.get('data_pipeline_runs_total{pipeline_name="hello",status="succeeded"}')).toBe(2);
    expect(after.get('data_pipeline_runs_total{pipeline_name="broken",status="failed"}')).toBe(1);
    // hello's histogram and attempts were cached by the first scrape: its new run refreshed them.
    expect(after.get('data_pipeline_duration_seconds_count{pipeline_name="hello"}')).toBe(2);
    expect(after.get('weir_task_attempts_total{pipeline_name="hello",task_id="land",status="success"}')).toBe(
      2,
    );
    expect(after.get('weir_task_attempts_total{pipeline_name="broken",task_id="fail",status="failed"}')).toBe(
      1,
    );
    expect(after.get('weir_lake_commits_total{dataset_name="lake.raw.hello"}')).toBe(2);
    expect(after.get('weir_lake_dataset_rows{dataset_name="lake.raw.hello"}')).toBe(1);
    const age = after.get('weir_dataset_freshness_seconds{dataset_name="lake.raw.hello"}')!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120);
    if (promtool) expect(runPromtool(["check", "metrics"], body).output).toBe("");
  }, 60_000);

  it("`weir alerts generate` writes rules and tests promtool accepts", async () => {
    const result = await weir([
      "alerts",
      "generate",
      "--out",
      "monitoring/rules.yml",
      "--tests",
      "monitoring/rules.test.yml",
      "--suite",
      "hello.suite.yaml",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const file = parse(readFileSync(join(project, "monitoring", "rules.yml"), "utf8")) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.find((r) => r.alert === "PipelineSlaMissed")?.expr).toContain(
      'pipeline_name="hello"} > 3600',
    );
    expect(rules.find((r) => r.alert === "DatasetStale")?.expr).toBe(
      'weir_dataset_freshness_seconds{dataset_name="lake.raw.hello"} > 172800',
    );
    if (promtool) {
      expect(runPromtool(["check", "rules", join(project, "monitoring", "rules.yml")]).status).toBe(0);
      const tests = runPromtool(["test", "rules", join(project, "monitoring", "rules.test.yml")]);
      expect(tests.output).toContain("SUCCESS");
    }
  }, 60_000);
});
