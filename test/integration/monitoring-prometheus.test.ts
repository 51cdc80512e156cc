import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import { generateAlertRules } from "../../src/monitoring/alerts/generate-alert-rules.js";
import { createMetricsEndpoint } from "../../src/monitoring/metrics-endpoint.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { seedHistory } from "../support/monitoring-seed.js";
import { prometheus } from "../support/prometheus-tools.js";

/**
 * Issue 15: a real Prometheus (Debian's package) scrapes `weir serve`'s /metrics every
 * second and loads weir's generated rules; its HTTP API then returns weir's series.
 */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(!prometheus)("Prometheus scraping weir serve", () => {
  let dir: string;
  let store: MetadataStore;
  let server: RunningServer;
  let child: ChildProcess | undefined;
  let api: string;
  let log = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-prometheus-"));
    store = await openMetadataStore(join(dir, "weir.db"));
    await seedHistory(store);
    server = await startServer({ store, port: 0, metrics: createMetricsEndpoint(store) });
    const { yaml } = await generateAlertRules({ pipelines: [] });
    writeFileSync(join(dir, "rules.yml"), yaml);
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "rule_files: [rules.yml]",
        "scrape_configs:",
        "  - job_name: weir",
        `    static_configs: [{ targets: ["127.0.0.1:${server.port}"] }]`,
        "",
      ].join("\n"),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    child = spawn(
      prometheus!,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stderr!.on("data", (c: Buffer) => {
      log += c.toString();
    });
  });
  afterAll(async () => {
    child?.kill("SIGTERM");
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The query's result once it is non-empty; fails after 20 s with Prometheus' log. */
  async function queryUntilFound(query: string): Promise<QueryResult["data"]["result"]> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(query)}`).catch(
        () => undefined,
      );
      if (response?.ok) {
        const body = (await response.json()) as QueryResult;
        if (body.data.result.length > 0) return body.data.result;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Prometheus never returned ${query}; its log:\n${log.slice(-3000)}`);
  }

  it("returns weir's series from its HTTP API", async () => {
    const runs = await queryUntilFound("data_pipeline_runs_total");
    const failed = runs.find((r) => r.metric.pipeline_name === "orders" && r.metric.status === "failed");
    expect(failed?.metric).toMatchObject({ job: "weir", instance: `127.0.0.1:${server.port}` });
    expect(failed?.value[1]).toBe("1");
    const score = await queryUntilFound('data_quality_score{dataset_name="orders"}');
    expect(score[0]!.value[1]).toBe("98");
    const median = await queryUntilFound(
      'histogram_quantile(0.5, data_pipeline_duration_seconds_bucket{pipeline_name="orders"})',
    );
    expect(Number(median[0]!.value[1])).toBeGreaterThan(15);
    expect(Number(median[0]!.value[1])).toBeLessThanOrEqual(60);
  }, 30_000);

  it("loads weir's alert rules and evaluates them", async () => {
    const deadline = Date.now() + 20_000;
    let groups: { name: string; rules: { name: string; health: string }[] }[] = [];
    while (Date.now() < deadline) {
      const response = await fetch(`${api}/api/v1/rules`).catch(() => undefined);
      if (response?.ok) {
        groups = ((await response.json()) as { data: { groups: typeof groups } }).data.groups;
        if (groups.length > 0 && groups.every((g) => g.rules.every((r) => r.health === "ok"))) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(groups.map((g) => g.name).sort()).toEqual(["weir-data", "weir-pipelines", "weir-streams"]);
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toContain("PipelineFailureRate");
    expect(rules.every((r) => r.health === "ok")).toBe(true);
    // The seeded stream dead-lettered nothing new, and quality is 98: these stay inactive;
    // the seeded running run's heartbeat is far older than 5 minutes: PipelineRunStuck is pending or firing.
    const alerts = await queryUntilFound('ALERTS{alertname="PipelineRunStuck"}');
    expect(alerts[0]!.metric.pipeline_name).toBe("customers");
  }, 30_000);
});
