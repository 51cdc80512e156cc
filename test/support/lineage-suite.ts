import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeirError } from "../../src/core/errors.js";
import { impact } from "../../src/lineage/graph/impact.js";
import {
  columnNodeId,
  datasetNodeId,
  jobNodeId,
  type LineageGraph,
} from "../../src/lineage/graph/lineage-graph.js";
import { producersMissing } from "../../src/lineage/graph/producers-missing.js";
import { upstream } from "../../src/lineage/graph/upstream.js";
import { LineageStore } from "../../src/lineage/store/lineage-store.js";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { SqlMetadataStore } from "../../src/metadata/sql-metadata-store.js";
import {
  CHAIN_RUNS,
  CYCLE_A,
  CYCLE_B,
  chainEvents,
  type DatasetRef,
  dataset,
  FACT,
  from,
  IDENTITY,
  LAKE,
  ORPHANS,
  RATES,
  runEvent,
  SOURCE,
  STAGING,
} from "./lineage-chain.js";

const ds = (ref: DatasetRef) => datasetNodeId(ref);
const col = (ref: DatasetRef, field: string) => columnNodeId(ref, field);
const job = (name: string) => jobNodeId({ namespace: "weir", name });
const ids = (graph: LineageGraph) => graph.nodes.map((n) => n.id).sort();
const depthOf = (graph: LineageGraph, id: string) => graph.nodes.find((n) => n.id === id)?.depth;
const edge = (graph: LineageGraph, from: string, to: string) =>
  graph.edges.find((e) => e.from === from && e.to === to);

async function count(metadata: MetadataStore, table: string): Promise<number> {
  const row = await (metadata as SqlMetadataStore).database.get<{ n: unknown }>(
    `SELECT COUNT(*) AS n FROM ${table}`,
  );
  return Number(row?.n);
}

async function codeOf(promise: Promise<unknown>): Promise<WeirError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeirError);
  return error as WeirError;
}

/**
 * The lineage store and graph queries on one metadata store kind (SQLite beside the code,
 * PostgreSQL under test/integration). `open` returns a store on an empty schema each call.
 */
export function lineageSuite(name: string, open: () => Promise<MetadataStore>): void {
  describe(`lineage store: ${name}`, () => {
    let metadata: MetadataStore;
    let lineage: LineageStore;
    beforeAll(async () => {
      metadata = await open();
      expect(metadata).toBeInstanceOf(SqlMetadataStore);
      lineage = LineageStore.of(metadata);
    });
    afterAll(async () => {
      await metadata?.close();
    });

    it("records an event, its datasets, and edges only once the run completed", async () => {
      const run = "11111111-0000-4000-8000-000000000001";
      const source = { namespace: "s3://bucket", name: "in/events" };
      const out = { namespace: "duckdb://wh", name: "main.events", weir: "events" };
      const start = runEvent("START", "ingest.events", run, "2024-05-01T10:00:00Z", {
        inputs: [dataset(source)],
        outputs: [dataset(out, { fields: ["id", "kind"], lineage: { id: [from(source, "id", IDENTITY)] } })],
      });
      const first = await lineage.record(start);
      expect(first.inserted).toBe(true);
      expect(first.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await lineage.producersOf(out)).toEqual([]);
      const stored = await lineage.resolveDataset("events");
      expect(stored).toMatchObject({
        namespace: "duckdb://wh",
        name: "main.events",
        weirName: "events",
        schemaFields: [
          { name: "id", type: "VARCHAR" },
          { name: "kind", type: "VARCHAR" },
        ],
        updatedAt: "2024-05-01T10:00:00.000Z",
      });

      // COMPLETE names no datasets: the START's are the run's.
      await lineage.record(runEvent("COMPLETE", "ingest.events", run, "2024-05-01T10:05:00Z"));
      const edges = await lineage.producersOf(out);
      expect(edges).toEqual([
        {
          job: { namespace: "weir", name: "ingest.events" },
          input: source,
          output: { namespace: out.namespace, name: out.name },
          lastRunId: run,
          updatedAt: "2024-05-01T10:05:00.000Z",
        },
      ]);
      expect(await lineage.columnSourcesOf(out, "id")).toMatchObject([
        { input: source, inputField: "id", type: "DIRECT", subtype: "IDENTITY", outputField: "id" },
      ]);
      const events = await lineage.events({ runId: run });
      expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
      expect(events[0]!.event).toEqual(start);
    });

    it("is idempotent: the same events recorded again change nothing", async () => {
      const run = "11111111-0000-4000-8000-000000000002";
      const a = { namespace: "idem", name: "a", weir: "idem.a" };
      const b = { namespace: "idem", name: "b", weir: "idem.b" };
      const events = [
        runEvent("START", "idem.job", run, "2024-05-02T10:00:00Z", { inputs: [dataset(a)] }),
        runEvent("COMPLETE", "idem.job", run, "2024-05-02T10:01:00Z", {
          inputs: [dataset(a)],
          outputs: [dataset(b, { lineage: { x: [from(a, "x", IDENTITY)] } })],
        }),
      ];
      for (const e of events) await lineage.record(e);
      const before = await Promise.all(
        ["lineage_events", "lineage_datasets", "lineage_edges", "lineage_column_edges"].map((t) =>
          count(metadata, t),
        ),
      );
      // Again, as objects and as JSON text.
      for (const e of events) expect((await lineage.record(e)).inserted).toBe(false);
      expect((await lineage.record(JSON.stringify(events[1]))).inserted).toBe(false);
      const after = await Promise.all(
        ["lineage_events", "lineage_datasets", "lineage_edges", "lineage_column_edges"].map((t) =>
          count(metadata, t),
        ),
      );
      expect(after).toEqual(before);
      expect(await lineage.events({ runId: run })).toHaveLength(2);
    });

    it("lets two writers record the same event at once: one inserts, nothing doubles", async () => {
      const run = "11111111-0000-4000-8000-000000000006";
      const event = runEvent("COMPLETE", "race.job", run, "2024-05-02T11:00:00Z", {
        inputs: [dataset({ namespace: "race", name: "in" })],
        outputs: [dataset({ namespace: "race", name: "out", weir: "race.out" })],
      });
      const results = await Promise.all([
        lineage.record(event),
        lineage.record(event),
        lineage.record(event),
      ]);
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
      expect(await lineage.events({ runId: run })).toHaveLength(1);
      expect(await lineage.producersOf({ namespace: "race", name: "out" })).toHaveLength(1);
    });

    it("records no edges for failed runs, and edges for RUNNING events of stream jobs", async () => {
      const failed = "11111111-0000-4000-8000-000000000003";
      const streaming = "11111111-0000-4000-8000-000000000004";
      const input = { namespace: "nats://bus", name: "clicks" };
      const out1 = { namespace: "edge", name: "failed_out", weir: "edge.failed_out" };
      const out2 = { namespace: "edge", name: "stream_out", weir: "edge.stream_out" };
      await lineage.record(
        runEvent("START", "batch.job", failed, "2024-05-03T10:00:00Z", {
          inputs: [dataset(input)],
          outputs: [dataset(out1)],
        }),
      );
      await lineage.record(runEvent("FAIL", "batch.job", failed, "2024-05-03T10:01:00Z"));
      expect(await lineage.producersOf(out1)).toEqual([]);
      await lineage.record(
        runEvent("RUNNING", "stream.job", streaming, "2024-05-03T10:00:00Z", {
          inputs: [dataset(input)],
          outputs: [dataset(out2)],
        }),
      );
      expect((await lineage.producersOf(out2)).map((e) => e.job.name)).toEqual(["stream.job"]);
      expect((await lineage.consumersOf(input)).map((e) => e.output?.name).sort()).toEqual(["stream_out"]);
    });

    it("derives edges when a late START arrives after its COMPLETE", async () => {
      const run = "11111111-0000-4000-8000-000000000005";
      const a = { namespace: "late", name: "a" };
      const b = { namespace: "late", name: "b", weir: "late.b" };
      await lineage.record(runEvent("COMPLETE", "late.job", run, "2024-05-04T10:05:00Z"));
      expect(await lineage.producersOf(b)).toEqual([]);
      await lineage.record(
        runEvent("START", "late.job", run, "2024-05-04T10:00:00Z", {
          inputs: [dataset(a)],
          outputs: [dataset(b)],
        }),
      );
      expect((await lineage.producersOf(b)).map((e) => e.input)).toEqual([a]);
    });

    it("keeps the latest schema: an older event fills in but does not replace", async () => {
      const d = { namespace: "schema", name: "t", weir: "schema.t" };
      const run = (n: number) => `11111111-0000-4000-8000-00000000010${n}`;
      await lineage.record(
        runEvent("START", "schema.job", run(1), "2024-05-05T12:00:00Z", {
          outputs: [dataset(d, { fields: ["new_a", "new_b"] })],
        }),
      );
      await lineage.record(
        runEvent("START", "schema.job", run(2), "2024-05-05T08:00:00Z", {
          outputs: [dataset({ ...d, weir: "schema.old_name" }, { fields: ["old"] })],
        }),
      );
      const stored = await lineage.resolveDataset("schema.t");
      expect(stored.schemaFields?.map((f) => f.name)).toEqual(["new_a", "new_b"]);
      expect(stored.updatedAt).toBe("2024-05-05T12:00:00.000Z");
    });

    it("ingests another producer's event and ignores facets it cannot read", async () => {
      const foreign = {
        eventType: "COMPLETE",
        eventTime: "2024-05-06T09:00:00.123+02:00",
        run: {
          runId: "0190b000-0000-7000-8000-0000000000aa",
          facets: {
            parent: {
              _producer: "airflow",
              _schemaURL: "x",
              run: { runId: "0190b000-0000-7000-8000-0000000000ff" },
              job: { namespace: "airflow", name: "dag" },
            },
          },
        },
        job: { namespace: "airflow", name: "dag.task", facets: { jobType: { integration: "AIRFLOW" } } },
        inputs: [
          { namespace: "snowflake://acct", name: "db.s.src", inputFacets: { dataQualityMetrics: {} } },
        ],
        outputs: [
          {
            namespace: "snowflake://acct",
            name: "db.s.dst",
            // A column lineage facet of an unexpected shape: ignored, the event is kept.
            facets: { columnLineage: { fields: "not an object" }, ownership: { owners: [] } },
          },
        ],
        producer: "https://github.com/apache/airflow",
        schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
      };
      await lineage.record(foreign);
      const [event] = await lineage.events({ job: "airflow/dag.task" });
      expect(event).toMatchObject({
        eventType: "COMPLETE",
        eventTime: "2024-05-06T07:00:00.123Z",
        parentRunId: "0190b000-0000-7000-8000-0000000000ff",
        job: { namespace: "airflow", name: "dag.task" },
        event: foreign,
      });
      expect(
        (await lineage.producersOf({ namespace: "snowflake://acct", name: "db.s.dst" }))[0]?.input,
      ).toEqual({
        namespace: "snowflake://acct",
        name: "db.s.src",
      });
      expect(await lineage.events({ job: "dag.task" })).toHaveLength(1);
    });

    it("refuses what is not a RunEvent, saying where", async () => {
      const bad = await codeOf(
        lineage.record({ eventTime: "2024-01-01T00:00:00Z", job: { namespace: "x" } }),
      );
      expect(bad.code).toBe("LINEAGE_EVENT_INVALID");
      expect(bad.message).toMatch(/at (run|job\.name)/);
      const time = await codeOf(
        lineage.record(
          runEvent("START", "j", "r", "yesterday", { outputs: [dataset({ namespace: "n", name: "x" })] }),
        ),
      );
      expect(time.message).toContain("eventTime");
      expect((await codeOf(lineage.record("{not json"))).code).toBe("LINEAGE_EVENT_INVALID");
    });

    it("resolves a dataset by namespace/name, weir name or OpenLineage name, and says what is close", async () => {
      const a = { namespace: "pg://one", name: "public.customers", weir: "dim_customers" };
      const b = { namespace: "pg://two", name: "public.customers" };
      await lineage.record(
        runEvent("START", "resolve.job", "11111111-0000-4000-8000-000000000201", "2024-05-07T00:00:00Z", {
          inputs: [dataset(b)],
          outputs: [dataset(a, { fields: ["id", "email"] })],
        }),
      );
      expect((await lineage.resolveDataset("dim_customers")).namespace).toBe("pg://one");
      expect((await lineage.resolveDataset("pg://two/public.customers")).namespace).toBe("pg://two");
      const ambiguous = await codeOf(lineage.resolveDataset("public.customers"));
      expect(ambiguous.code).toBe("LINEAGE_DATASET_UNKNOWN");
      expect(ambiguous.details.matches).toEqual(["pg://one/public.customers", "pg://two/public.customers"]);
      const unknown = await codeOf(lineage.resolveDataset("dim_custmers"));
      expect(unknown.code).toBe("LINEAGE_DATASET_UNKNOWN");
      expect(unknown.details.suggestions).toContain("dim_customers");
      expect(unknown.message).toContain("did you mean dim_customers");

      expect(await lineage.resolveDatasetColumn("dim_customers.email")).toMatchObject({
        dataset: { weirName: "dim_customers" },
        column: "email",
      });
      const column = await codeOf(lineage.resolveDatasetColumn("dim_customers.emial"));
      expect(column.code).toBe("LINEAGE_DATASET_UNKNOWN");
      expect(column.details.suggestions).toEqual(["email"]);
    });
  });

  describe(`lineage graph: ${name}`, () => {
    let metadata: MetadataStore;
    let lineage: LineageStore;
    beforeAll(async () => {
      metadata = await open();
      lineage = LineageStore.of(metadata);
      for (const event of chainEvents()) await lineage.record(event);
    });
    afterAll(async () => {
      await metadata?.close();
    });

    it("resolves the longest dataset prefix of <dataset>.<column>", async () => {
      expect(await lineage.resolveDatasetColumn("lake.raw.orders.email_hash")).toMatchObject({
        dataset: { namespace: LAKE.namespace, name: LAKE.name },
        column: "email_hash",
      });
      expect(await lineage.resolveDatasetColumn("lake.raw.orders")).toMatchObject({
        dataset: { name: LAKE.name },
      });
      expect((await lineage.resolveDatasetColumn("lake.raw.orders")).column).toBeUndefined();
      expect(await lineage.resolveDatasetColumn("crm.public.orders.status")).toMatchObject({
        dataset: { name: SOURCE.name },
        column: "status",
      });
    });

    it("walks upstream at depth 1, 2 and all the way", async () => {
      const one = await upstream(lineage, "fct_sales", { depth: 1 });
      expect(one.root).toBe(ds(FACT));
      expect(ids(one)).toEqual([ds(FACT), ds(LAKE), job("sales.build_fact")].sort());
      expect(edge(one, job("sales.build_fact"), ds(FACT))?.kind).toBe("writes");
      expect(edge(one, ds(LAKE), job("sales.build_fact"))?.kind).toBe("reads");
      expect(one.nodes.find((n) => n.id === ds(LAKE))).toMatchObject({
        weirName: "lake.raw.orders",
        depth: 1,
      });

      const two = await upstream(lineage, "fct_sales", { depth: 2 });
      expect(ids(two)).toEqual(
        [ds(FACT), ds(LAKE), ds(STAGING), job("sales.build_fact"), job("sales.to_lake")].sort(),
      );

      const all = await upstream(lineage, "fct_sales");
      expect(ids(all)).toEqual(
        [
          ds(FACT),
          ds(LAKE),
          ds(STAGING),
          ds(SOURCE),
          job("sales.build_fact"),
          job("sales.to_lake"),
          job("sales.extract"),
        ].sort(),
      );
      expect(depthOf(all, ds(SOURCE))).toBe(3);
      expect(all.edges).toHaveLength(6);
    });

    it("walks impact at depth 1, 2 and all the way", async () => {
      const one = await impact(lineage, SOURCE, { depth: 1 });
      expect(ids(one)).toEqual([ds(SOURCE), ds(STAGING), job("sales.extract")].sort());
      const two = await impact(lineage, "crm.public.orders", { depth: 2 });
      expect(ids(two)).toContain(ds(LAKE));
      expect(ids(two)).not.toContain(ds(FACT));
      const all = await impact(lineage, "crm.public.orders");
      expect(ids(all)).toContain(ds(FACT));
      expect(depthOf(all, ds(FACT))).toBe(3);
      expect(edge(all, job("sales.build_fact"), ds(FACT))?.kind).toBe("writes");
    });

    it("keeps the producer of a dataset written from outside, and a reader that writes nothing", async () => {
      const rates = await upstream(lineage, "lake.raw.rates");
      expect(ids(rates)).toEqual([ds(RATES), job("rates.fetch")].sort());
      expect(rates.edges).toEqual([{ from: job("rates.fetch"), to: ds(RATES), kind: "writes" }]);
      const readers = await impact(lineage, "lake.raw.orphans");
      expect(ids(readers)).toEqual([ds(ORPHANS), job("orphans.check")].sort());
    });

    it("lists datasets without producers, external ones left out", async () => {
      const missing = await producersMissing(lineage);
      expect(missing.map((d) => d.weirName)).toEqual(["lake.raw.orphans"]);
      expect(await producersMissing(lineage, { external: ["lake.raw.orphans"] })).toEqual([]);
      const strict = await producersMissing(lineage, { external: () => false });
      expect(strict.map((d) => d.name).sort()).toEqual(
        ["crm.public.customers", "crm.public.orders", "raw/orphans"].sort(),
      );
    });

    it("follows columns upstream through aggregations, filters and groupings", async () => {
      const one = await upstream(lineage, { dataset: "fct_sales", column: "total" }, { depth: 1 });
      expect(ids(one)).toEqual([col(FACT, "total"), col(LAKE, "amount"), col(LAKE, "country")].sort());
      expect(edge(one, col(LAKE, "amount"), col(FACT, "total"))).toMatchObject({
        kind: "column",
        type: "DIRECT",
        subtype: "AGGREGATION",
        masking: false,
        job: { namespace: "weir", name: "sales.build_fact" },
      });
      expect(edge(one, col(LAKE, "country"), col(FACT, "total"))).toMatchObject({
        type: "INDIRECT",
        subtype: "GROUP_BY",
        datasetLevel: true,
      });

      const all = await upstream(lineage, { dataset: "fct_sales", column: "total" });
      expect(ids(all)).toEqual(
        [
          col(FACT, "total"),
          col(LAKE, "amount"),
          col(LAKE, "country"),
          col(STAGING, "amount"),
          col(STAGING, "country"),
          col(STAGING, "status"),
          col(SOURCE, "amount"),
          col(SOURCE, "country"),
          col(SOURCE, "status"),
        ].sort(),
      );
      expect(edge(all, col(STAGING, "status"), col(LAKE, "amount"))).toMatchObject({
        type: "INDIRECT",
        subtype: "FILTER",
        datasetLevel: true,
      });
      expect(depthOf(all, col(SOURCE, "status"))).toBe(3);
    });

    it("marks masked transformations", async () => {
      const graph = await upstream(lineage, { dataset: "lake.raw.orders", column: "email_hash" });
      expect(edge(graph, col(STAGING, "email"), col(LAKE, "email_hash"))).toMatchObject({
        type: "DIRECT",
        subtype: "TRANSFORMATION",
        masking: true,
      });
      expect(edge(graph, col(SOURCE, "email"), col(STAGING, "email"))?.masking).toBe(false);
    });

    it("follows a filter column's impact to every field of what it filters", async () => {
      const graph = await impact(lineage, { dataset: SOURCE, column: "status" });
      expect(ids(graph)).toEqual(
        [
          col(SOURCE, "status"),
          col(STAGING, "status"),
          col(LAKE, "status"),
          col(LAKE, "*"),
          col(FACT, "country"),
          col(FACT, "total"),
          col(FACT, "n_orders"),
          col(FACT, "*"),
        ].sort(),
      );
      expect(edge(graph, col(STAGING, "status"), col(LAKE, "*"))).toMatchObject({
        type: "INDIRECT",
        subtype: "FILTER",
        datasetLevel: true,
      });
      expect(edge(graph, col(LAKE, "*"), col(FACT, "total"))?.subtype).toBe("AGGREGATION");
      const shallow = await impact(lineage, { dataset: SOURCE, column: "status" }, { depth: 2 });
      expect(ids(shallow)).not.toContain(col(FACT, "total"));
    });

    it("ends on cycles, dataset- and column-level", async () => {
      const datasets = await upstream(lineage, "cycle_a");
      expect(ids(datasets)).toEqual([ds(CYCLE_A), ds(CYCLE_B), job("loop.back"), job("loop.forward")].sort());
      expect(edge(datasets, ds(CYCLE_A), job("loop.forward"))?.kind).toBe("reads");
      const columns = await impact(lineage, { dataset: "cycle_b", column: "v" });
      expect(ids(columns)).toEqual([col(CYCLE_A, "v"), col(CYCLE_B, "v")].sort());
      expect(columns.edges).toHaveLength(2);
    });

    it("fails on an unknown dataset with suggestions, and on a bad depth", async () => {
      const error = await codeOf(upstream(lineage, "fct_sale"));
      expect(error.code).toBe("LINEAGE_DATASET_UNKNOWN");
      expect(error.details.suggestions).toContain("fct_sales");
      expect((await codeOf(impact(lineage, "fct_sales", { depth: -1 }))).code).toBe("CONFIG_INVALID");
    });

    it("lists events of a run and of a job, oldest first, newest kept by the limit", async () => {
      const run = await lineage.events({ runId: CHAIN_RUNS.extract });
      expect(run.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
      expect((await lineage.events({ job: "sales.to_lake" })).map((e) => e.eventType)).toEqual([
        "START",
        "COMPLETE",
      ]);
      const last = await lineage.events({ limit: 1 });
      expect(last.map((e) => e.job.name)).toEqual(["loop.back"]);
    });
  });
}
