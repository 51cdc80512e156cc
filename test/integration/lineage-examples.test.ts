import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../examples/customers/seed.js";
import userEventsJob from "../../examples/user-events/stream.js";
import { dateOfDay, generateWarehouseData } from "../../examples/warehouse/generate-data.js";
import warehousePipeline from "../../examples/warehouse/pipeline.js";
import { silentLogger } from "../../src/core/log.js";
import { observedRun } from "../../src/lineage/emit/observed-run.js";
import { impact } from "../../src/lineage/graph/impact.js";
import { producersMissing } from "../../src/lineage/graph/producers-missing.js";
import { upstream } from "../../src/lineage/graph/upstream.js";
import type { RunEvent as OpenLineageEvent } from "../../src/lineage/openlineage/types.js";
import { validateRunEvent } from "../../src/lineage/openlineage/validate-run-event.js";
import { LineageStore } from "../../src/lineage/store/lineage-store.js";
import type { SqlMetadataStore } from "../../src/metadata/sql-metadata-store.js";
import { definePipeline } from "../../src/orchestrator/define-pipeline.js";
import { defineTask } from "../../src/orchestrator/define-task.js";
import { loadPipeline } from "../../src/orchestrator/load-pipeline.js";
import { openRuntime, type WeirRuntime } from "../../src/orchestrator/open-runtime.js";
import { runPipeline } from "../../src/orchestrator/run-pipeline.js";
import { runSuite } from "../../src/quality/run-suite.js";
import { parseSuite } from "../../src/quality/suite.js";
import { createStreamSinks } from "../../src/streaming/open-stream-parts.js";
import { runStreamJob } from "../../src/streaming/run-stream-job.js";
import { FileReplaySource } from "../../src/streaming/sources/file-source.js";
import { streamLineageListener } from "../../src/streaming/stream-lineage.js";
import { generateUserEvents } from "../support/user-events.js";

/**
 * The built-in lineage of the examples, from real runs: every event weir emitted (file
 * transport and metadata store alike) validates against the OpenLineage JSON Schema, no
 * dataset of the customers pipeline, the warehouse pipeline or the user-events stream
 * lacks its producer, and the column lineage derived from the SQL they run answers
 * "where did this column come from?" and "what does it feed?".
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-lineage-examples-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every event the file transport wrote under `<home>/lineage`. */
function fileEvents(home: string): OpenLineageEvent[] {
  const folder = join(home, "lineage");
  return readdirSync(folder)
    .filter((f) => f.endsWith(".ndjson"))
    .flatMap((f) =>
      readFileSync(join(folder, f), "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as OpenLineageEvent),
    );
}

function expectValid(events: readonly OpenLineageEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) {
    const result = validateRunEvent(event);
    expect(result.errors, `${event.eventType} ${event.job.name}`).toEqual([]);
    expect(result.valid).toBe(true);
  }
}

const lineageOf = (runtime: WeirRuntime) => new LineageStore((runtime.metadata as SqlMetadataStore).database);
const weirNames = (nodes: { weirName?: string; kind: string }[]) =>
  new Set(nodes.filter((n) => n.kind === "dataset").map((n) => n.weirName));

describe("customers pipeline", () => {
  let home: string;
  let events: OpenLineageEvent[];
  let runtime: WeirRuntime;

  beforeAll(async () => {
    home = join(dir, "customers");
    const source = join(dir, "crm.sqlite");
    seedCustomers({ path: source });
    const { pipeline } = await loadPipeline(join(ROOT, "examples/customers"));
    runtime = await openRuntime({ home });
    const result = await runPipeline(pipeline, { logicalDate: "2024-01-15", params: { source }, ...runtime });
    expect(result.state).toBe("succeeded");
    await runtime.lineage!.flush();
    events = fileEvents(home);
  }, 120_000);
  afterAll(async () => {
    await runtime.close();
  });

  it("emits valid OpenLineage events: START and COMPLETE per task, the run as their parent", () => {
    expectValid(events);
    const pipelineRun = events.find((e) => e.job.name === "customers" && e.eventType === "START")!;
    expect(pipelineRun.run.facets?.nominalTime).toMatchObject({
      nominalStartTime: "2024-01-15T00:00:00.000Z",
      nominalEndTime: "2024-01-16T00:00:00.000Z",
    });
    for (const task of ["extract", "land_raw", "transform", "check", "load"]) {
      const mine = events.filter((e) => e.job.name === `customers.${task}`);
      expect(mine.map((e) => e.eventType)).toContain("START");
      expect(mine.map((e) => e.eventType)).toContain("COMPLETE");
      const parent = mine[0]!.run.facets?.parent as { run: { runId: string } };
      expect(parent.run.runId).toBe(pipelineRun.run.runId);
      expect(mine[0]!.run.runId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(events.at(-1)).toMatchObject({ eventType: "COMPLETE", job: { name: "customers" } });
  });

  it("names datasets by OpenLineage's conventions and reports rows written and checks run", () => {
    const load = events.find((e) => e.job.name === "customers.load" && e.eventType === "COMPLETE")!;
    const dim = load.outputs.find((o) => o.name === "main.dim_customers")!;
    expect(dim.namespace).toBe(`duckdb://${join(home, "warehouse.duckdb")}`);
    expect(dim.outputFacets?.outputStatistics).toMatchObject({ rowCount: 650 });
    const land = events.find((e) => e.job.name === "customers.land_raw" && e.eventType === "COMPLETE")!;
    expect(land.outputs.map((o) => [o.namespace, o.name])).toContainEqual([
      "file",
      join(home, "lake/raw/customers"),
    ]);
    const check = events.find((e) => e.job.name === "customers.check" && e.eventType === "COMPLETE")!;
    const assertions = check.inputs.flatMap(
      (i) =>
        (
          i.inputFacets?.dataQualityAssertions as
            | { assertions: { assertion: string; success: boolean }[] }
            | undefined
        )?.assertions ?? [],
    );
    expect(assertions.length).toBeGreaterThan(3);
    expect(assertions.some((a) => !a.success)).toBe(true);
    const extract = events.find((e) => e.job.name === "customers.extract" && e.eventType === "COMPLETE")!;
    expect(extract.inputs[0]).toMatchObject({
      namespace: `sqlite://${join(dir, "crm.sqlite")}`,
      name: "customers",
    });
  });

  it("stores the graph: every dataset has its producer, upstream and impact follow the columns", async () => {
    const store = lineageOf(runtime);
    expect((await store.events({ limit: 1000 })).length).toBe(events.length);
    expect(await producersMissing(store)).toEqual([]);
    const up = await upstream(store, "dim_customers");
    expect(weirNames(up.nodes)).toEqual(
      expect.objectContaining(new Set(["dim_customers", "source.customers"])) as unknown as Set<string>,
    );
    expect([...weirNames(up.nodes)]).toEqual(
      expect.arrayContaining(["source.customers", "staging.customers.customers"]),
    );
    // email_domain is computed from the source's email by the transform's SQL.
    const column = await upstream(store, { dataset: "dim_customers", column: "email_domain" });
    const origins = column.nodes.filter((n) => n.kind === "column" && n.weirName === "source.customers");
    expect(origins.map((n) => n.field)).toContain("email");
    const transformed = column.edges.filter((e) => e.kind === "column" && e.subtype === "TRANSFORMATION");
    expect(transformed.length).toBeGreaterThan(0);
    // …and the source's email feeds the lake, the dimension and the derived domain.
    const feeds = await impact(store, { dataset: "source.customers", column: "email" });
    const reached = feeds.nodes.filter((n) => n.kind === "column").map((n) => `${n.weirName}.${n.field}`);
    expect(reached).toEqual(
      expect.arrayContaining([
        "lake.raw.customers.email",
        "dim_customers.email_hash",
        "dim_customers.email_masked",
        "dim_customers.email_domain",
      ]),
    );
    // The policy's keyed hash is a masking transformation; the raw email never reaches the dimension.
    expect(reached).not.toContain("dim_customers.email");
    const hashed = feeds.edges.filter(
      (e) => e.kind === "column" && e.to.includes('"main.dim_customers","email_hash"'),
    );
    expect(hashed.length).toBeGreaterThan(0);
    expect(hashed.every((e) => e.masking === true)).toBe(true);
    const shallow = await impact(store, { dataset: "source.customers", column: "email" }, { depth: 1 });
    expect(shallow.nodes.length).toBeLessThan(feeds.nodes.length);
  });
});

describe("a quality run on its own (weir check)", () => {
  it("is a run of job quality.<dataset> with the suite's assertions on its input", async () => {
    const home = join(dir, "check");
    const runtime = await openRuntime({ home });
    try {
      await runtime.engine.run(
        "CREATE TABLE people AS SELECT * FROM (VALUES (1, 'a@x.com'), (2, NULL)) AS t(id, email)",
      );
      const suite = parseSuite({
        name: "people",
        expectations: [
          { type: "expect_column_values_to_not_be_null", kwargs: { column: "email" } },
          { type: "expect_column_values_to_be_unique", kwargs: { column: "id" } },
        ],
      });
      await observedRun(
        runtime.lineage,
        { job: "quality.people", jobType: "CHECK", engines: [runtime.engine], lakeRoot: runtime.lake.root },
        () => runSuite(runtime.engine, { name: "people" }, suite, { failOnError: false }),
      );
      await runtime.lineage!.flush();
      const events = fileEvents(home);
      expectValid(events);
      expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
      const input = events[1]!.inputs.find((i) => i.name === "main.people")!;
      const facet = input.inputFacets?.dataQualityAssertions as {
        assertions: { assertion: string; success: boolean; column?: string }[];
      };
      expect(facet.assertions).toEqual([
        { assertion: "expect_column_values_to_not_be_null", success: false, column: "email" },
        { assertion: "expect_column_values_to_be_unique", success: true, column: "id" },
      ]);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe("a failing task", () => {
  it("emits FAIL with the error message, and the pipeline run fails too", async () => {
    const home = join(dir, "failing");
    const runtime = await openRuntime({ home });
    try {
      const pipeline = definePipeline({
        id: "breaks",
        tasks: [
          defineTask({
            id: "boom",
            run: async (ctx) => {
              await ctx.engine.run("CREATE TABLE before_boom AS SELECT 1 AS one");
              throw new Error("the source went away");
            },
          }),
        ],
      });
      const result = await runPipeline(pipeline, { logicalDate: "2024-01-15", ...runtime });
      expect(result.state).toBe("failed");
      await runtime.lineage!.flush();
      const events = fileEvents(home);
      expectValid(events);
      const fail = events.find((e) => e.job.name === "breaks.boom" && e.eventType === "FAIL")!;
      expect((fail.run.facets?.errorMessage as { message: string } | undefined)?.message).toContain(
        "the source went away",
      );
      expect(fail.outputs.map((o) => o.name)).toContain("main.before_boom");
      expect(events.at(-1)).toMatchObject({ eventType: "FAIL", job: { name: "breaks" } });
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe("warehouse pipeline", () => {
  it("every table of the warehouse has its producer; facts come from their dimensions and the events", async () => {
    const home = join(dir, "warehouse");
    const data = generateWarehouseData(join(dir, "wh-data"), { users: 300, events: 6_000, days: 2 });
    const runtime = await openRuntime({ home });
    try {
      for (const day of [0, 1]) {
        const result = await runPipeline(warehousePipeline, {
          logicalDate: dateOfDay(day),
          params: { users: data.usersDir, events: data.eventsDir },
          ...runtime,
        });
        expect(result.state, result.error?.message).toBe("succeeded");
      }
      await runtime.lineage!.flush();
      expectValid(fileEvents(home));
      const store = lineageOf(runtime);
      expect(await producersMissing(store)).toEqual([]);
      const fact = await upstream(store, "fact_user_events");
      expect([...weirNames(fact.nodes)]).toEqual(expect.arrayContaining(["dim_users"]));
      const metrics = await upstream(store, "user_daily_metrics");
      expect([...weirNames(metrics.nodes)]).toEqual(expect.arrayContaining(["fact_user_events"]));
    } finally {
      await runtime.close();
    }
  }, 240_000);
});

describe("user-events stream", () => {
  it("emits START, RUNNING and COMPLETE with its source, lake dataset and window table", async () => {
    const home = join(dir, "stream");
    const file = join(dir, "user-events.ndjson");
    generateUserEvents(file, 20_000, { preferDatagen: false });
    const runtime = await openRuntime({ home });
    try {
      const source = new FileReplaySource({ path: file });
      await runStreamJob(userEventsJob, {
        source,
        store: runtime.metadata.streams,
        sinks: createStreamSinks(userEventsJob, { lake: runtime.lake, warehouse: runtime.engine }),
        onEvent: streamLineageListener(userEventsJob, {
          emitter: runtime.lineage!,
          source: { file },
          warehouse: runtime.engine,
          lakeRoot: runtime.lake.root,
          logger: silentLogger,
        }),
      });
      await source.close();
      // The listener emits in the background: give it a moment, then read.
      await new Promise((r) => setTimeout(r, 500));
      await runtime.lineage!.flush();
      const events = fileEvents(home);
      expectValid(events);
      const types = events.map((e) => e.eventType);
      expect(types[0]).toBe("START");
      expect(types).toContain("RUNNING");
      expect(types.at(-1)).toBe("COMPLETE");
      const last = events.at(-1)!;
      expect(last.job.name).toBe("user-events");
      const outputs = last.outputs.map((o) => (o.facets?.weir as { name: string } | undefined)?.name);
      expect(outputs).toEqual(expect.arrayContaining(["lake.raw.events", "user_metrics_real_time"]));
      const store = lineageOf(runtime);
      expect(await producersMissing(store)).toEqual([]);
      const col = await upstream(store, { dataset: "user_metrics_real_time", column: "unique_event_types" });
      expect(col.edges.some((e) => e.kind === "column" && e.subtype === "AGGREGATION")).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 120_000);
});
