import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableLabel } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { quarantineTable } from "../../src/quality/quarantine.js";
import { aggregateSelect, keyFilter, keyFilterParam } from "../../src/warehouse/aggregates/aggregate-sql.js";
import {
  compareWithFullRecompute,
  recomputeAggregate,
} from "../../src/warehouse/aggregates/compare-with-full-recompute.js";
import { refreshMaterializedView } from "../../src/warehouse/aggregates/materialized-view.js";
import { refreshAggregate } from "../../src/warehouse/aggregates/refresh-aggregate.js";
import { tableContentHash } from "../../src/warehouse/content-hash.js";
import { createModelTable } from "../../src/warehouse/ddl/create-table-sql.js";
import {
  createMaterializedViewStatements,
  materializedViewOf,
} from "../../src/warehouse/ddl/materialized-view.js";
import { tableDefinition } from "../../src/warehouse/ddl/table-definition.js";
import { loadFacts } from "../../src/warehouse/facts/load-facts.js";
import {
  AGGREGATE_STATE,
  ensureLedger,
  FACT_LOADS,
  recordFactLoad,
} from "../../src/warehouse/ledger/index.js";
import { type AggregateModel, defineAggregate } from "../../src/warehouse/model/define-aggregate.js";
import { defineFact, type FactModel } from "../../src/warehouse/model/define-fact.js";
import { modelTable } from "../../src/warehouse/model/define-warehouse.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const SCHEMA = `we"ird; drop_${process.pid}_${Date.now().toString(36)}`;

function factModel(schema: string): FactModel {
  return defineFact({
    // Unique per run: the fact's quarantine table (quarantine.<name>) is shared by every schema.
    name: `fact "ev"; drop ${process.pid}`,
    schema,
    grain: ["event_id"],
    columns: {
      event_id: "bigint",
      day: "integer",
      user_id: "varchar",
      session_id: "varchar",
      event_type: "varchar",
      amount: "decimal(18,2)",
    },
    loadBy: "day",
  });
}

/** user_daily_metrics in small: per user and day. Money in decimals, so any summation order gives one value. */
function aggregateModel(
  engine: Engine,
  fact: FactModel,
  name: string,
  materializedView = false,
): AggregateModel {
  const f = engine.dialect.quoteTable(modelTable(fact));
  return defineAggregate({
    name,
    schema: fact.schema,
    from: fact,
    select: `SELECT user_id, day, count(*) AS total_events, count(DISTINCT session_id) AS sessions,
        count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
        sum(CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END) AS revenue
      FROM ${f} GROUP BY user_id, day -- a trailing comment must not swallow the wrapping`,
    columns: {
      user_id: "varchar",
      day: "integer",
      total_events: "bigint",
      sessions: "bigint",
      purchases: "bigint",
      revenue: "decimal(18,2)",
    },
    groupBy: ["user_id", "day"],
    incrementalKey: "day",
    materializedView,
  });
}

const ledgerTable = (engine: Engine) => engine.dialect.quoteTable(FACT_LOADS);
const stateTable = (engine: Engine) => engine.dialect.quoteTable(AGGREGATE_STATE);

/**
 * Loads `day` through the fact loader (which replaces the day and records the load in the
 * ledger in one transaction): `rows` generated rows whose content depends on `version`, so
 * a re-load changes the day.
 */
async function loadDay(engine: Engine, fact: FactModel, day: number, version = 1, rows = 200): Promise<void> {
  const sql = `SELECT CAST(${day} AS BIGINT) * 10000000 + i AS event_id, ${day} AS day,
      'u' || CAST((i * ${version}) % 23 AS VARCHAR) AS user_id,
      's' || CAST(i % (5 + ${version}) AS VARCHAR) AS session_id,
      CASE WHEN (i + ${day} + ${version}) % 4 = 0 THEN 'purchase' ELSE 'view' END AS event_type,
      CAST(((i * 7 + ${day * version}) % 1000) * 0.01 AS DECIMAL(18,2)) AS amount
    FROM generate_series(1, ${rows}) AS g(i)`;
  const result = await loadFacts(engine, fact, { sql });
  expect(result.rows).toBe(rows);
}

/** Cleans what a suite left in shared places: its ledger rows and its fact's quarantine table. */
async function dropShared(engine: Engine, fact: FactModel): Promise<void> {
  await engine.run(`DELETE FROM ${ledgerTable(engine)} WHERE table_name = $1`, [
    tableLabel(modelTable(fact)),
  ]);
  await engine.run(`DELETE FROM ${stateTable(engine)} WHERE aggregate_name LIKE $1`, [`${fact.schema}.%`]);
  await engine.run(engine.dialect.dropTable(quarantineTable(fact.name)));
}

function aggregatesSuite(name: string, open: () => Promise<Engine>): void {
  describe(`incremental aggregates on ${name}`, () => {
    let engine: Engine;
    let fact: FactModel;
    let agg: AggregateModel;
    /** The same aggregate under another name, always refreshed in full: the reference. */
    let reference: AggregateModel;

    beforeAll(async () => {
      engine = await open();
      fact = factModel(SCHEMA);
      agg = aggregateModel(engine, fact, 'agg "daily"; drop');
      reference = aggregateModel(engine, fact, "agg_full_reference");
      for (const m of [fact, agg, reference]) await createModelTable(engine, tableDefinition(m, engine.kind));
      await ensureLedger(engine);
    });
    afterAll(async () => {
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(SCHEMA)} CASCADE`);
      await dropShared(engine, fact);
      await engine.close();
    });

    /** After every step: equal to a full recompute, and to the reference refreshed in full. */
    async function expectUpToDate(step: string): Promise<void> {
      const compare = await compareWithFullRecompute(engine, agg);
      expect(compare, step).toEqual({ equal: true, missing: [], extra: [] });
      const full = await refreshAggregate(engine, reference, { full: true });
      expect(full.mode).toBe("full");
      const [a, b] = [
        await tableContentHash(engine, modelTable(agg)),
        await tableContentHash(engine, modelTable(reference)),
      ];
      expect(a, step).toEqual(b);
      expect(a.rows, step).toBeGreaterThan(0);
    }

    it("refreshes only the days loaded since the last refresh, equal to a full recompute after every step", async () => {
      await loadDay(engine, fact, 1);
      await loadDay(engine, fact, 2);
      const first = await refreshAggregate(engine, agg);
      // No state yet: the first refresh is a full one.
      expect(first.mode).toBe("full");
      expect(first.rowsInserted).toBe(46); // 23 users × 2 days
      await expectUpToDate("days 1-2");

      await loadDay(engine, fact, 3);
      const third = await refreshAggregate(engine, agg);
      expect(third).toMatchObject({ mode: "incremental", values: [3], rowsDeleted: 0, rowsInserted: 23 });
      expect(third.loadSeq).toBeGreaterThan(first.loadSeq);
      await expectUpToDate("day 3");

      await loadDay(engine, fact, 5);
      await loadDay(engine, fact, 4);
      const fourFive = await refreshAggregate(engine, agg);
      expect(fourFive).toMatchObject({ mode: "incremental", values: [4, 5], rowsInserted: 46 });
      await expectUpToDate("days 4-5");
    });

    it("re-loading a day recomputes that day alone", async () => {
      const before = await recomputeAggregate(engine, agg);
      // Version 2 has other users (i * 2 % 23) and sessions, so day 2's groups change.
      await loadDay(engine, fact, 2, 2, 150);
      const result = await refreshAggregate(engine, agg);
      expect(result).toMatchObject({ mode: "incremental", values: [2], rowsDeleted: 23, rowsInserted: 23 });
      const after = await recomputeAggregate(engine, agg);
      const day = (rows: typeof before, d: number) => rows.filter((r) => Number(r.day) === d);
      expect(day(after, 2)).not.toEqual(day(before, 2));
      for (const d of [1, 3, 4, 5]) expect(day(after, d)).toEqual(day(before, d));
      await expectUpToDate("day 2 re-loaded");
    });

    it("does nothing when no fact was loaded since the last refresh", async () => {
      const before = await tableContentHash(engine, modelTable(agg));
      const result = await refreshAggregate(engine, agg);
      expect(result).toMatchObject({ mode: "none", values: [], rowsDeleted: 0, rowsInserted: 0 });
      expect(await tableContentHash(engine, modelTable(agg))).toEqual(before);
    });

    it("binds thousands of touched days as one parameter", async () => {
      // 3000 touched values (days without facts but day 4) in one load: one array parameter.
      const days = Array.from({ length: 3000 }, (_, i) => 1000 + i);
      await engine.transaction((tx) => recordFactLoad(tx, modelTable(fact), [...days, 4].map(String)));
      const result = await refreshAggregate(engine, agg);
      expect(result.mode).toBe("incremental");
      expect(result.values).toHaveLength(3001);
      expect(result.rowsDeleted).toBe(23);
      expect(result.rowsInserted).toBe(23);
      await expectUpToDate("3000 days");
    });

    it("refreshes in full on request", async () => {
      const result = await refreshAggregate(engine, agg, { full: true });
      expect(result).toMatchObject({ mode: "full", values: [], rowsDeleted: 115, rowsInserted: 115 });
      await expectUpToDate("full");
    });

    it("misses no load when loads of other days and refreshes run at the same time", async () => {
      // Loads of different days of one fact may run side by side (a backfill with
      // concurrency); every one of them must be taken in by some refresh.
      const work: Promise<unknown>[] = [];
      for (const day of [6, 7, 8, 9, 10, 11]) {
        work.push(loadDay(engine, fact, day, 3));
        work.push(refreshAggregate(engine, agg));
      }
      await Promise.all(work);
      await refreshAggregate(engine, agg);
      await expectUpToDate("concurrent loads and refreshes");
      const [{ n }] = (await engine.query<{ n: number }>(
        `SELECT count(DISTINCT day) AS n FROM ${engine.dialect.quoteTable(modelTable(agg))} WHERE day >= 6`,
      )) as [{ n: number }];
      expect(Number(n)).toBe(6);
    });

    it("filters the fact rows below the GROUP BY (the planner pushes the key filter down)", async () => {
      const sql = aggregateSelect(engine, agg, keyFilter(engine, agg, 1));
      const param = keyFilterParam(engine, [3]);
      if (engine.kind === "postgres") {
        const [row] = await engine.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, [param]);
        // json comes back as text (weir's parsers keep JSON as text).
        const plan = (JSON.parse(String(row!["QUERY PLAN"])) as [{ Plan: PgPlan }])[0].Plan;
        const aggregate = findNode(plan, (n) => n["Node Type"] === "Aggregate");
        expect(aggregate, JSON.stringify(plan)).toBeDefined();
        // The key condition sits on the scan under the aggregate, not on a filter above it.
        const scan = findNode(
          aggregate!,
          (n) => /Scan/.test(n["Node Type"]) && /ANY/.test(String(n.Filter ?? n["Index Cond"] ?? "")),
        );
        expect(scan, JSON.stringify(plan)).toBeDefined();
        expect(aggregate!.Filter).toBeUndefined();
      } else {
        const rows = await engine.query(`EXPLAIN ${sql}`, [param]);
        const text = rows.map((r) => String(r.explain_value)).join("\n");
        // The tree prints top-down: the filter below the aggregate comes after it.
        expect(text.indexOf("HASH_GROUP_BY"), text).toBeGreaterThanOrEqual(0);
        expect(text.lastIndexOf("list_contains"), text).toBeGreaterThan(text.indexOf("HASH_GROUP_BY"));
        expect(text.indexOf("list_contains"), text).toBeGreaterThan(text.indexOf("HASH_GROUP_BY"));
      }
    });

    it("refuses an aggregate SELECT that smuggles in a second statement, and changes nothing", async () => {
      const victim = { schema: SCHEMA, name: "victim" };
      const q = engine.dialect.quoteTable(victim);
      await engine.run(`CREATE TABLE ${q} (k INTEGER)`);
      const f = engine.dialect.quoteTable(modelTable(fact));
      const selects = [
        `SELECT day AS k FROM ${f}; DROP TABLE ${q}`,
        // Crafted to close the wrapping subquery: still two statements, refused before either runs.
        `SELECT day AS k FROM ${f}) AS weir_aggregate; DROP TABLE ${q}; SELECT * FROM (SELECT 1 AS k`,
      ];
      for (const [i, select] of selects.entries()) {
        const hostile = defineAggregate({
          name: `hostile_${i}`,
          schema: SCHEMA,
          from: fact,
          select,
          columns: { k: "integer" },
          groupBy: ["k"],
          incrementalKey: "k",
        });
        await createModelTable(engine, tableDefinition(hostile, engine.kind));
        await expect(refreshAggregate(engine, hostile)).rejects.toMatchObject({
          code: "WAREHOUSE_LOAD_FAILED",
        });
        await expect(recomputeAggregate(engine, hostile)).rejects.toMatchObject({
          code: "ENGINE_QUERY_FAILED",
        });
        expect(await engine.describe(victim), select).toBeDefined();
        // Rolled back: no state recorded, so the next refresh is still a full one.
        const rows = await engine.query(`SELECT * FROM ${stateTable(engine)} WHERE aggregate_name = $1`, [
          tableLabel(modelTable(hostile)),
        ]);
        expect(rows).toEqual([]);
      }
      expect(await engine.query(`SELECT count(*) AS n FROM ${q}`)).toEqual([{ n: 0 }]);
    });
  });
}

interface PgPlan {
  "Node Type": string;
  Filter?: string;
  "Index Cond"?: string;
  Plans?: PgPlan[];
}

function findNode(plan: PgPlan, test: (n: PgPlan) => boolean): PgPlan | undefined {
  if (test(plan)) return plan;
  for (const p of plan.Plans ?? []) {
    const found = findNode(p, test);
    if (found) return found;
  }
  return undefined;
}

aggregatesSuite("DuckDB", () => openEngine(":memory:"));

describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  aggregatesSuite("PostgreSQL", () => openEngine(POSTGRES_URL));

  describe("materialized view refreshed CONCURRENTLY", () => {
    const schema = `${SCHEMA}_mv`;
    let engine: Engine;
    let reader: Engine;
    let fact: FactModel;
    let agg: AggregateModel;

    beforeAll(async () => {
      engine = await openEngine(POSTGRES_URL);
      reader = await openEngine(POSTGRES_URL);
      fact = factModel(schema);
      agg = aggregateModel(engine, fact, "daily_mv_agg", true);
      for (const m of [fact, agg]) await createModelTable(engine, tableDefinition(m, engine.kind));
      await ensureLedger(engine);
      // What apply creates, less its first REFRESH: the view WITH NO DATA and its unique index on groupBy.
      const [create, index] = createMaterializedViewStatements(engine, agg);
      for (const sql of [create!, index!]) await engine.run(sql);
    });
    afterAll(async () => {
      await reader?.close();
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`);
      await dropShared(engine, fact);
      await engine.close();
    });

    it("keeps answering readers while it refreshes, and then equals the aggregate table", async () => {
      const mv = materializedViewOf(agg);
      // Never populated: the first refresh is a plain one.
      await loadDay(engine, fact, 1, 1, 1000);
      expect(await refreshMaterializedView(engine, agg)).toEqual({ refreshed: true, concurrently: false });

      // A big day so the concurrent refresh takes a while.
      for (const day of [2, 3, 4]) await loadDay(engine, fact, day, day, 150_000);
      await refreshAggregate(engine, agg);
      const q = reader.dialect.quoteTable(mv);
      let refreshing = true;
      let readsDuring = 0;
      let slowest = 0;
      const reads = (async () => {
        while (refreshing) {
          const t0 = performance.now();
          const [row] = await reader.query<{ n: number }>(`SELECT count(*) AS n FROM ${q}`);
          slowest = Math.max(slowest, performance.now() - t0);
          // The old contents (day 1 only) until the refresh commits.
          expect([23, 23 * 4]).toContain(Number(row!.n));
          if (refreshing) readsDuring++;
        }
      })();
      const t0 = performance.now();
      const result = await refreshMaterializedView(engine, agg);
      const took = performance.now() - t0;
      refreshing = false;
      await reads;
      // Readers were neither refused nor held for the refresh's duration.
      expect(readsDuring, `refresh took ${took.toFixed(0)} ms`).toBeGreaterThan(5);
      expect(slowest, `refresh took ${took.toFixed(0)} ms`).toBeLessThan(took / 2);
      expect(result).toEqual({ refreshed: true, concurrently: true });
      expect(await tableContentHash(engine, mv)).toEqual(await tableContentHash(engine, modelTable(agg)));
      expect((await tableContentHash(engine, mv)).rows).toBe(23 * 4);
    }, 120_000);
  });
});
