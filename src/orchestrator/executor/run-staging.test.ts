import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecutorHarness, openExecutorHarness } from "../../../test/support/executor-harness.js";
import { MemorySource } from "../../connectors/memory-source.js";
import type { Schema } from "../../core/types.js";
import { writeTable } from "../../engines/table-writer.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import { clearTasks, resumeRun } from "./resume-run.js";

/**
 * Per-run staging (`ctx.stagingTable`), `ctx.extract` (rejections quarantined without the
 * task asking) and the run summary's per-dataset reconciliation.
 */
let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const ORDERS: Schema = {
  fields: [
    { name: "id", type: "bigint" },
    { name: "amount", type: "double" },
  ],
};

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, amount: i * 1.5 }));

async function schemas(): Promise<string[]> {
  const found = await h.runtime.engine.query<{ s: string }>(
    "SELECT schema_name AS s FROM duckdb_schemas() WHERE schema_name LIKE 'staging_%' ORDER BY 1",
  );
  return found.map((r) => r.s);
}

describe("per-run staging", () => {
  it("gives two runs of one pipeline different staging tables, and drops a run's when it succeeds", async () => {
    const seen: string[] = [];
    const pipeline = definePipeline({
      id: "two_days",
      tasks: [
        defineTask({
          id: "stage",
          run: async (ctx) => {
            const table = ctx.stagingTable("orders");
            await ctx.engine.createTable(table, ORDERS);
            seen.push(`${table.schema}.${table.name}`);
          },
        }),
        defineTask({
          id: "check",
          dependsOn: ["stage"],
          run: async (ctx) => {
            // The later task reads what the earlier one staged, by the same name.
            const staged = await ctx.engine.describe(ctx.stagingTable("orders"));
            expect(staged?.fields.map((f) => f.name)).toEqual(["id", "amount"]);
          },
        }),
      ],
    });
    const [a, b] = await Promise.all([
      h.start(pipeline, { runId: "run_day_a" }),
      h.start(pipeline, { runId: "run_day_b" }),
    ]);
    expect([a.state, b.state]).toEqual(["succeeded", "succeeded"]);
    expect(new Set(seen)).toEqual(new Set(["staging_run_day_a.orders", "staging_run_day_b.orders"]));
    expect(await schemas()).not.toContain("staging_run_day_a");
    expect(await schemas()).not.toContain("staging_run_day_b");
  });

  it("keeps a failed run's staging for its retry, which reads it and then drops it", async () => {
    let fail = true;
    const pipeline = definePipeline({
      id: "keeps",
      tasks: [
        defineTask({
          id: "stage",
          run: async (ctx) => {
            await new MemorySource({ schema: ORDERS, rows: rows(5) }).extract(
              ctx.engine,
              ctx.stagingTable("orders"),
              {},
            );
          },
        }),
        defineTask({
          id: "load",
          dependsOn: ["stage"],
          run: async (ctx) => {
            if (fail) throw new Error("the warehouse is busy");
            const { rowsWritten } = await writeTable(
              ctx.engine,
              { name: "fact_keeps" },
              {
                engine: ctx.engine,
                sql: `SELECT * FROM ${ctx.engine.dialect.quoteTable(ctx.stagingTable("orders"))}`,
              },
              { mode: "overwrite" },
            );
            return rowsWritten;
          },
        }),
      ],
    });
    const first = await h.start(pipeline, { runId: "run_keeps" });
    expect(first.state).toBe("failed");
    expect(await schemas()).toContain("staging_run_keeps");
    fail = false;
    await clearTasks(h.store, pipeline, "run_keeps");
    const second = await resumeRun("run_keeps", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
    });
    expect(second.state).toBe("succeeded");
    expect(second.outputs.load).toBe(5);
    expect(await schemas()).not.toContain("staging_run_keeps");
  });
});

describe("ctx.extract", () => {
  it("lands the rows in the run's staging table and quarantines rejections without being asked", async () => {
    const pipeline = definePipeline({
      id: "extracts",
      tasks: [
        defineTask({
          id: "extract",
          run: async (ctx) => {
            const source = new MemorySource({
              schema: ORDERS,
              rows: rows(8),
              rejections: [
                { location: "orders.csv", line: 4, column: "amount", reason: 'not a number: "ten"' },
                { location: "orders.csv", line: 9, column: "id", reason: "empty" },
              ],
            });
            const result = await ctx.extract(source, { dataset: "orders_x" });
            const [n] = await ctx.engine.query<{ n: bigint }>(
              `SELECT count(*) AS n FROM ${ctx.engine.dialect.quoteTable(result.table)}`,
            );
            return { table: result.table, rows: Number(n!.n), quarantined: result.quarantined };
          },
        }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_extracts" });
    expect(result.state).toBe("succeeded");
    expect(result.outputs.extract).toEqual({
      table: { schema: "staging_run_extracts", name: "orders_x" },
      rows: 8,
      quarantined: 2,
    });
    const quarantined = await h.runtime.engine.query<{ check: string; line: bigint }>(
      `SELECT "check", line FROM quarantine.orders_x WHERE run_id = 'run_extracts' ORDER BY line`,
    );
    expect(quarantined.map((q) => [q.check, Number(q.line)])).toEqual([
      ["parse(amount)", 4],
      ["parse(id)", 9],
    ]);
    expect(result.summary.tasks[0]!.rows).toEqual({ in: 10, out: 8, rejected: 2 });
    expect(result.summary.datasets).toEqual([
      {
        dataset: "orders_x",
        extracted: 10,
        quarantined: 2,
        quarantinedByCheck: { "parse(amount)": 1, "parse(id)": 1 },
        into: [],
      },
    ]);
    // Extracted but never recorded as loaded: nothing to compare, so no verdict either way.
    expect(result.summary.reconciled).toBeUndefined();
  });
});

describe("reconciliation", () => {
  it("does not call an aggregating pipeline unreconciled, and reconciles the dataset it loads", async () => {
    const pipeline = definePipeline({
      id: "aggregates",
      tasks: [
        defineTask({
          id: "extract",
          run: async (ctx) =>
            (await ctx.extract(new MemorySource({ schema: ORDERS, rows: rows(100) }), { dataset: "orders" }))
              .rowsLoaded,
        }),
        defineTask({
          id: "land",
          dependsOn: ["extract"],
          run: async (ctx) => {
            const { rowsWritten } = await writeTable(
              ctx.engine,
              { name: "fact_orders_agg" },
              {
                engine: ctx.engine,
                sql: `SELECT * FROM ${ctx.engine.dialect.quoteTable(ctx.stagingTable("orders"))}`,
              },
              { mode: "overwrite" },
            );
            ctx.recordRows({ in: rowsWritten, out: rowsWritten });
            ctx.recordDataset({ dataset: "orders", loaded: rowsWritten, into: "fact_orders_agg" });
          },
        }),
        defineTask({
          id: "daily_totals",
          dependsOn: ["extract"],
          run: async (ctx) => {
            // 100 orders in, one total out: by design, not a loss.
            ctx.recordRows({ in: ctx.outputOf<number>("extract"), out: 1 });
          },
        }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_aggregates" });
    expect(result.state).toBe("succeeded");
    expect(result.summary.datasets).toEqual([
      {
        dataset: "orders",
        extracted: 100,
        loaded: 100,
        quarantined: 0,
        quarantinedByCheck: {},
        into: ["fact_orders_agg"],
        reconciled: true,
      },
    ]);
    expect(result.summary.reconciled).toBe(true);
  });

  it("says a dataset does not reconcile when rows went missing between its extract and its load", async () => {
    const pipeline = definePipeline({
      id: "loses",
      tasks: [
        defineTask({
          id: "extract",
          run: async (ctx) => {
            await ctx.extract(new MemorySource({ schema: ORDERS, rows: rows(10) }), { dataset: "orders" });
          },
        }),
        defineTask({
          id: "load",
          dependsOn: ["extract"],
          run: async (ctx) => ctx.recordDataset({ dataset: "orders", loaded: 7, into: "fact" }),
        }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_loses" });
    expect(result.summary.datasets[0]).toMatchObject({ extracted: 10, loaded: 7, reconciled: false });
    expect(result.summary.reconciled).toBe(false);
  });
});
