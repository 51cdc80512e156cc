/**
 * Warehouse benchmark (issue 13): weir's warehouse loads against hand-written SQL doing the
 * same work on the same engine, in the same run.
 *
 *   scd2:              7 daily snapshots of N users merged into an SCD2 dimension
 *                      (warehouse-scd2.ts); ratio = weir / hand, days 1..6 summed (target ≤ 1.3)
 *   fact-load:         M events keyed as of their time against that dimension
 *                      (warehouse-facts.ts); ratio = best weir / best hand (target ≤ 1.3)
 *   aggregate-refresh: incremental refresh after one new day vs a full recompute of 31 days
 *                      (warehouse-aggregate.ts); ratio = best incremental / best full (target ≤ 0.1)
 *
 * DuckDB runs in memory; PostgreSQL in a scratch database created and dropped by the run
 * (so every table, ledger row and quarantine table goes with it).
 *
 *   node --import tsx bench/warehouse.ts
 *
 * Sizes (env): WEIR_BENCH_WAREHOUSE_USERS (1M), _PG_USERS (= users; 0: no SCD2 run on
 * PostgreSQL, its fact load uses DuckDB's dimension copied over), _EVENTS (10M, DuckDB),
 * _PG_EVENTS (1M; 0 skips), _AGG_PER_DAY (100k), _PG_AGG_PER_DAY (100k; 0 skips),
 * _ROUNDS (3, fact load and aggregate), _ENGINES (duckdb,postgres).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TableRef } from "../src/core/types.js";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../src/engines/engine.js";
import { PostgresEngine } from "../src/engines/postgres/postgres-engine.js";
import { copyTable } from "../src/engines/transfer.js";
import { applyWarehouse } from "../src/warehouse/ddl/apply-warehouse.js";
import { defineWarehouse } from "../src/warehouse/model/define-warehouse.js";
import { POSTGRES_URL } from "../test/support/servers.js";
import { aggregateModels, benchAggregate } from "./warehouse-aggregate.js";
import { benchFactLoad, generateEvents } from "./warehouse-facts.js";
import { benchScd2 } from "./warehouse-scd2.js";
import { eventsFact, s, scratchDatabase, sum, tableOf, usersDimension } from "./warehouse-setup.js";

export interface WarehouseBenchOptions {
  users?: number;
  /** Users of the PostgreSQL SCD2 run; 0 copies DuckDB's dimension for the fact load instead. */
  pgUsers?: number;
  events?: number;
  pgEvents?: number;
  aggPerDay?: number;
  pgAggPerDay?: number;
  rounds?: number;
  engines?: ("duckdb" | "postgres")[];
  log?: (line: string) => void;
}

export interface WarehouseBenchResult {
  name: string;
  ratio: number;
  line: string;
}

const env = (name: string, fallback: number) => {
  const v = process.env[`WEIR_BENCH_WAREHOUSE_${name}`];
  return v === undefined || v === "" ? fallback : Number(v);
};

const ratioLine = (name: string, what: string, ratio: number, target: string, detail: string) =>
  `RATIO ${name}: ${what} = ${ratio.toFixed(2)} (target ${target}; ${detail})`;

const short = (n: number) =>
  n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);

export async function run(options: WarehouseBenchOptions = {}): Promise<WarehouseBenchResult[]> {
  const users = options.users ?? env("USERS", 1_000_000);
  const o = {
    users,
    pgUsers: options.pgUsers ?? env("PG_USERS", users),
    events: options.events ?? env("EVENTS", 10_000_000),
    pgEvents: options.pgEvents ?? env("PG_EVENTS", 1_000_000),
    aggPerDay: options.aggPerDay ?? env("AGG_PER_DAY", 100_000),
    pgAggPerDay: options.pgAggPerDay ?? env("PG_AGG_PER_DAY", 100_000),
    rounds: options.rounds ?? env("ROUNDS", 3),
    engines:
      options.engines ??
      ((process.env.WEIR_BENCH_WAREHOUSE_ENGINES ?? "duckdb,postgres").split(",") as (
        | "duckdb"
        | "postgres"
      )[]),
    log: options.log ?? ((line: string) => console.log(line)),
  };
  const results: WarehouseBenchResult[] = [];
  const emit = (r: WarehouseBenchResult) => {
    results.push(r);
    o.log(r.line);
  };
  const schema = `weir_bench_wh_${process.pid}_${Date.now().toString(36)}`;
  let duck: DuckDBEngine | undefined;
  let duckDim: ReturnType<typeof usersDimension> | undefined;
  try {
    if (o.engines.includes("duckdb")) {
      duck = await DuckDBEngine.create({});
      duckDim = await benchEngine(duck, "duckdb", schema, o, emit, {
        scd2Users: o.users,
        events: o.events,
        aggPerDay: o.aggPerDay,
      });
    }
    if (o.engines.includes("postgres")) {
      const scratch = await scratchDatabase(POSTGRES_URL);
      const pg = await PostgresEngine.create({ url: scratch.url, poolSize: 2 });
      try {
        await benchEngine(pg, "postgres", schema, o, emit, {
          scd2Users: o.pgUsers,
          events: o.pgEvents,
          aggPerDay: o.pgAggPerDay,
          url: scratch.url,
          copyDimension:
            o.pgUsers === 0 && duck && duckDim
              ? async (target) => {
                  await pg.run(`DELETE FROM ${pg.dialect.quoteTable(tableOf(target))}`);
                  await copyTable(duck!, tableOf(duckDim!), pg, tableOf(target));
                  await pg.run(`ANALYZE ${pg.dialect.quoteTable(tableOf(target))}`);
                }
              : undefined,
        });
      } finally {
        await pg.close();
        await scratch.drop();
      }
    }
  } finally {
    await duck?.close();
  }
  return results;
}

async function benchEngine(
  engine: Engine,
  kind: "duckdb" | "postgres",
  schema: string,
  o: { rounds: number; log: (line: string) => void },
  emit: (r: WarehouseBenchResult) => void,
  sizes: {
    scd2Users: number;
    events: number;
    aggPerDay: number;
    url?: string;
    copyDimension?: (dim: ReturnType<typeof usersDimension>) => Promise<void>;
  },
) {
  const dim = usersDimension(schema, "dim_users");
  const handDim = usersDimension(schema, "dim_users_hand");
  const fact = eventsFact(schema, "fact_user_events", dim);
  const handFact = eventsFact(schema, "fact_user_events_hand", dim);
  const aggs = aggregateModels(engine, schema);
  await applyWarehouse(
    engine,
    defineWarehouse({
      name: "bench_warehouse",
      tables: [dim, handDim, fact, handFact, aggs.fact, aggs.agg, aggs.handAgg],
    }),
  );
  o.log(`== warehouse on ${kind} (schema ${schema})`);

  if (sizes.scd2Users > 0) {
    const t = await benchScd2(engine, schema, dim, handDim, sizes.scd2Users, { url: sizes.url, log: o.log });
    const weir = sum(t.weir.slice(1));
    const hand = sum(t.hand.slice(1));
    emit({
      name: `warehouse-scd2-${kind}`,
      ratio: weir / hand,
      line: ratioLine(
        `warehouse-scd2-${kind}`,
        "weir/hand time",
        weir / hand,
        "<= 1.30",
        `${short(sizes.scd2Users)} users, days 1-6 weir ${s(weir)} hand ${s(hand)}; day 0 weir ${s(t.weir[0]!)} hand ${s(t.hand[0]!)}; ${t.rows} versions`,
      ),
    });
  } else if (sizes.copyDimension) {
    await sizes.copyDimension(dim);
    o.log(`  ${kind}: no SCD2 run; the fact load uses DuckDB's dimension, copied over`);
  }

  if (sizes.events > 0 && (sizes.scd2Users > 0 || sizes.copyDimension)) {
    const input: TableRef = { schema, name: "events_input" };
    await generateEvents(engine, fact, input, sizes.events);
    const t = await benchFactLoad(engine, fact, handFact, input, sizes.events, o);
    await engine.run(engine.dialect.dropTable(input));
    const weir = Math.min(...t.weir);
    const hand = Math.min(...t.hand);
    emit({
      name: `warehouse-fact-load-${kind}`,
      ratio: weir / hand,
      line: ratioLine(
        `warehouse-fact-load-${kind}`,
        "weir/hand time",
        weir / hand,
        "<= 1.30",
        `${short(sizes.events)} events, best of ${o.rounds}: weir ${s(weir)} hand ${s(hand)}; ${t.rows} rows, ${t.unknown} unknown`,
      ),
    });
  }

  if (sizes.aggPerDay > 0) {
    const t = await benchAggregate(engine, aggs, { schema, name: "agg_input" }, sizes.aggPerDay, o);
    const inc = Math.min(...t.incremental);
    const full = Math.min(...t.full);
    emit({
      name: `warehouse-aggregate-refresh-${kind}`,
      ratio: inc / full,
      line: ratioLine(
        `warehouse-aggregate-refresh-${kind}`,
        "incremental/full refresh time",
        inc / full,
        "<= 0.10",
        `31 days × ${short(sizes.aggPerDay)} facts, best of ${o.rounds}: incremental ${inc.toFixed(3)} s, weir full ${s(full)}, hand full ${s(Math.min(...t.handFull))}; ${t.rows} groups`,
      ),
    });
  }
  if (kind === "duckdb") return dim;
  return undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = await run();
  console.log("\n== summary");
  for (const r of results) console.log(r.line);
}
