import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LineageGraph } from "../../src/lineage/graph/lineage-graph.js";
import { LineageStore } from "../../src/lineage/store/lineage-store.js";
import { CHAIN_RUNS, chainEvents } from "../support/lineage-chain.js";
import { runWeir, withStore } from "../support/weir-process.js";

/**
 * `weir lineage …` as a process on a home whose metadata store holds the hand-built chain
 * (source → staging → lake → warehouse): JSON graphs, diagrams, datasets, events, errors.
 */
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "weir-lineage-cli-"));
  await withStore(join(home, "weir.db"), async (store) => {
    const lineage = LineageStore.of(store);
    for (const event of chainEvents()) await lineage.record(event);
  });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const weir = (...args: string[]) => runWeir(["lineage", ...args], { WEIR_HOME: home, WEIR_METADATA_URL: "" });

const names = (graph: LineageGraph) =>
  graph.nodes.map((n) =>
    n.kind === "column" ? `${n.weirName ?? n.name}.${n.field}` : (n.weirName ?? n.name),
  );

describe("weir lineage", () => {
  it("upstream --json: the dataset graph, as deep as asked", async () => {
    const [all, depthOne] = await Promise.all([
      weir("upstream", "fct_sales", "--json"),
      weir("upstream", "fct_sales", "--depth", "1", "--json"),
    ]);
    expect(all.code, all.stderr).toBe(0);
    const graph = JSON.parse(all.stdout) as LineageGraph;
    expect(graph.direction).toBe("upstream");
    expect(names(graph).sort()).toEqual(
      [
        "fct_sales",
        "sales.build_fact",
        "lake.raw.orders",
        "sales.to_lake",
        "staging.orders",
        "sales.extract",
        "crm.public.orders",
      ].sort(),
    );
    const one = JSON.parse(depthOne.stdout) as LineageGraph;
    expect(names(one).sort()).toEqual(["fct_sales", "lake.raw.orders", "sales.build_fact"]);
  });

  it("upstream of <dataset>.<column>: column lineage, masking and indirect edges marked", async () => {
    const [result, text] = await Promise.all([
      weir("upstream", "lake.raw.orders.email_hash", "--json"),
      weir("upstream", "lake.raw.orders.email_hash"),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const graph = JSON.parse(result.stdout) as LineageGraph;
    expect(names(graph)).toContain("staging.orders.email");
    const masked = graph.edges.find((e) => e.masking);
    expect(masked).toMatchObject({ kind: "column", subtype: "TRANSFORMATION" });
    expect(graph.edges.find((e) => e.datasetLevel)).toMatchObject({ type: "INDIRECT", subtype: "FILTER" });

    expect(text.stdout.split("\n")[0]).toBe("lake.raw.orders.email_hash");
    expect(text.stdout).toContain("staging.orders.email  [DIRECT TRANSFORMATION, masked] via sales.to_lake");
    expect(text.stdout).toContain("staging.orders.status  [INDIRECT FILTER, all fields] via sales.to_lake");
  });

  it("impact in text, Mermaid and DOT", async () => {
    const [text, mermaid, dot] = await Promise.all([
      weir("impact", "crm.public.orders", "--depth", "1"),
      weir("impact", "crm.public.orders", "--format", "mermaid"),
      weir("impact", "crm.public.orders.status", "--format", "dot"),
    ]);
    expect(text.code, text.stderr).toBe(0);
    // The source has no weir name: it is shown as namespace/name.
    expect(text.stdout).toBe(
      "postgres://crm.example:5432/crm.public.orders\n└── [job] sales.extract\n    └── staging.orders\n",
    );
    expect(mermaid.stdout.startsWith("flowchart LR\n")).toBe(true);
    expect(mermaid.stdout).toContain('[("fct_sales")]');
    expect(dot.stdout.startsWith("digraph lineage {\n")).toBe(true);
    expect(dot.stdout).toContain('[label="fct_sales.total", shape=box]');
    expect(dot.stdout).toContain("style=dashed");
  });

  it("datasets --json: every dataset with the jobs that write it", async () => {
    const [result, table] = await Promise.all([weir("datasets", "--json"), weir("datasets")]);
    expect(result.code, result.stderr).toBe(0);
    const datasets = JSON.parse(result.stdout) as { weirName?: string; producers: string[] }[];
    expect(datasets.find((d) => d.weirName === "lake.raw.orders")?.producers).toEqual(["sales.to_lake"]);
    expect(datasets.find((d) => d.weirName === "lake.raw.rates")?.producers).toEqual(["rates.fetch"]);
    expect(datasets.find((d) => d.weirName === "lake.raw.orphans")?.producers).toEqual([]);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^dataset\s+namespace\s+name\s+fields\s+written by\s+updated$/,
    );
  });

  it("events --run --json: the run's events with their payloads", async () => {
    const result = await weir("events", "--run", CHAIN_RUNS.extract, "--json");
    expect(result.code, result.stderr).toBe(0);
    const events = JSON.parse(result.stdout) as { eventType: string; event: { inputs: unknown[] } }[];
    expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    expect(events[0]!.event.inputs).toHaveLength(1);
  });

  it("an unknown dataset fails with LINEAGE_DATASET_UNKNOWN and close names", async () => {
    const [result, format] = await Promise.all([
      weir("upstream", "fct_sale"),
      weir("upstream", "fct_sales", "--format", "png"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("[LINEAGE_DATASET_UNKNOWN]");
    expect(result.stderr).toContain("did you mean fct_sales");
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('invalid --format "png"');
  });

  it("reads nothing from a home that does not exist", async () => {
    const result = await runWeir(["lineage", "datasets"], {
      WEIR_HOME: join(home, "nope"),
      WEIR_METADATA_URL: "",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no weir home");
  });
});
