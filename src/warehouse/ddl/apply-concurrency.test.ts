import { describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { dateDimension, timeDimension } from "../model/calendar-dimensions.js";
import { defineAggregate } from "../model/define-aggregate.js";
import { defineDimension } from "../model/define-dimension.js";
import { defineFact } from "../model/define-fact.js";
import { defineWarehouse, type WarehouseModel } from "../model/define-warehouse.js";
import { applyWarehouse } from "./apply-warehouse.js";
import { planWarehouse } from "./plan-warehouse.js";

/**
 * Two applies of one model to a fresh schema at the same moment both succeed and leave the
 * warehouse complete (an empty plan, each generated row once), round after round: on
 * PostgreSQL from two engines (two pools), on DuckDB as two calls on one engine.
 */
const ROUNDS = 10;

function model(schema: string, withView: boolean, score: "integer" | "bigint" = "integer"): WarehouseModel {
  const users = defineDimension({
    name: "dim_users",
    schema,
    surrogateKey: "user_key",
    naturalKey: "user_id",
    columns: { user_id: "uuid", email: "varchar", score },
    indexes: [["email"]],
  });
  const events = defineFact({
    name: "fact_events",
    schema,
    grain: ["event_id"],
    columns: { event_id: "bigint", date_key: "integer" },
    dimensionKeys: [{ column: "user_key", dimension: users, naturalKey: { user_id: "user_id" } }],
    partitionBy: { column: "date_key", granularity: "month" },
    loadBy: "date_key",
    indexes: [["user_key", "date_key"]],
  });
  const daily = defineAggregate({
    name: "daily",
    schema,
    from: events,
    select: `SELECT date_key, count(*) AS n FROM "${schema}".fact_events GROUP BY date_key`,
    columns: { date_key: "integer", n: "bigint" },
    groupBy: ["date_key"],
    incrementalKey: "date_key",
    materializedView: withView,
  });
  return defineWarehouse({
    name: "race",
    tables: [
      users,
      dateDimension({ schema, from: "2024-01-01", to: "2024-12-31" }),
      timeDimension({ schema }),
      events,
      daily,
    ],
  });
}

async function rounds(tag: string, a: Engine, b: Engine): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const schema = `wh_race_${tag}_${process.pid}_${round}`;
    const m = model(schema, a.kind === "postgres");
    try {
      const results = await Promise.allSettled([applyWarehouse(a, m), applyWarehouse(b, m)]);
      const failed = results.filter((r) => r.status === "rejected");
      expect(
        failed.map((r) => String((r as PromiseRejectedResult).reason)),
        `round ${round}`,
      ).toEqual([]);
      expect((await planWarehouse(a, m)).steps).toEqual([]);
      const t = (name: string) => a.dialect.quoteTable({ schema, name });
      const [row] = await a.query(
        `SELECT (SELECT count(*) FROM ${t("dim_date")}) AS dates, (SELECT count(*) FROM ${t("dim_users")}) AS members`,
      );
      expect([Number(row!.dates), Number(row!.members)]).toEqual([366, 1]);
      // Then both widen a column of an indexed table at once (on DuckDB: indexes dropped,
      // the column altered, indexes created again — which must not interleave).
      const wider = model(schema, a.kind === "postgres", "bigint");
      const again = await Promise.allSettled([applyWarehouse(a, wider), applyWarehouse(b, wider)]);
      expect(
        again.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      expect((await planWarehouse(a, wider)).steps).toEqual([]);
    } finally {
      await a.run(`DROP SCHEMA IF EXISTS ${a.dialect.quoteIdent(schema)} CASCADE`);
    }
  }
}

describe("concurrent applies", () => {
  it("both succeed on one DuckDB engine, 10 rounds", { timeout: 60_000 }, async () => {
    const engine = await openEngine(":memory:");
    try {
      await rounds("duck", engine, engine);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(!postgresAvailable)(
    "both succeed from two PostgreSQL engines, 10 rounds",
    { timeout: 90_000 },
    async () => {
      const [a, b] = [await openEngine(POSTGRES_URL), await openEngine(POSTGRES_URL)];
      try {
        await rounds("pg", a, b);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});
