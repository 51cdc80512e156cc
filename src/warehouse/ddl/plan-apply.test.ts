import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { dateDimension, timeDimension } from "../model/calendar-dimensions.js";
import type { ColumnInput } from "../model/column-types.js";
import { defineAggregate } from "../model/define-aggregate.js";
import { defineDimension } from "../model/define-dimension.js";
import { defineFact } from "../model/define-fact.js";
import { defineWarehouse, type WarehouseModel } from "../model/define-warehouse.js";
import { applyWarehouse } from "./apply-warehouse.js";
import { planWarehouse } from "./plan-warehouse.js";

/**
 * plan/apply on each engine: everything planned on an empty warehouse, nothing after an
 * apply, one step per model change, destructive changes refused unless allowed, hostile
 * names. Each case works in a schema of its own, dropped at the end.
 */
const RUN = `${process.pid}_${Date.now() % 100_000}`;

interface Shape {
  schema: string;
  users?: Record<string, ColumnInput>;
  events?: Record<string, ColumnInput>;
  dateTo?: string;
}

/** A small warehouse: an SCD2 dimension, calendar dimensions, a partitioned fact and an aggregate. */
function warehouse(shape: Shape): WarehouseModel {
  const { schema } = shape;
  const users = defineDimension({
    name: "dim_users",
    schema,
    surrogateKey: "user_key",
    naturalKey: "user_id",
    columns: shape.users ?? { user_id: "uuid", email: "varchar", score: "integer" },
    indexes: [["email"]],
  });
  const events = defineFact({
    name: "fact_events",
    schema,
    grain: ["event_id"],
    columns: shape.events ?? { event_id: "bigint", date_key: "integer", amount: "decimal(18,2)" },
    dimensionKeys: [{ column: "user_key", dimension: users, naturalKey: { user_id: "user_id" } }],
    partitionBy: { column: "date_key", granularity: "month" },
    loadBy: "date_key",
    indexes: [["user_key", "date_key"]],
  });
  const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
  const daily = defineAggregate({
    name: "daily_events",
    schema,
    from: events,
    select: `SELECT user_key, date_key, count(*) AS events FROM ${q(schema)}.fact_events GROUP BY user_key, date_key`,
    columns: { user_key: "bigint", date_key: "integer", events: "bigint" },
    groupBy: ["user_key", "date_key"],
    incrementalKey: "date_key",
    materializedView: true,
  });
  return defineWarehouse({
    name: "test_warehouse",
    tables: [
      users,
      dateDimension({ schema, from: "2024-01-01", to: shape.dateTo ?? "2024-01-31" }),
      timeDimension({ schema }),
      events,
      daily,
    ],
  });
}

function planSuite(name: string, open: () => Promise<Engine>): void {
  describe(`plan and apply on ${name}`, () => {
    let engine: Engine;
    const schemas: string[] = [];
    let n = 0;
    const fresh = (base = "wh_plan") => {
      const s = `${base}_${RUN}_${n++}`;
      schemas.push(s);
      return s;
    };

    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      for (const s of schemas)
        await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(s)} CASCADE`);
      await engine.close();
    });

    const kinds = async (model: WarehouseModel) =>
      (await planWarehouse(engine, model)).steps.map((s) => `${s.kind} ${s.table.split(".").pop()}`);
    const columnsOf = async (schema: string, table: string) =>
      (
        await engine.query<{ c: string }>(
          "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
          [schema, table],
        )
      ).map((r) => r.c);

    it("plans every table, index and generated row of an empty warehouse, then nothing after apply", async () => {
      const schema = fresh();
      const model = warehouse({ schema });
      const plan = await planWarehouse(engine, model);
      expect(plan.steps.every((s) => !s.destructive)).toBe(true);
      expect(plan.steps.map((s) => `${s.kind} ${s.table.split(".").pop()}`)).toEqual([
        `create-schema ${schema}`,
        "create-table dim_users",
        "create-index dim_users",
        "create-index dim_users",
        "insert-rows dim_users",
        "create-table dim_date",
        "insert-rows dim_date",
        "create-table dim_time",
        "insert-rows dim_time",
        "create-table fact_events",
        // DuckDB facts and aggregates get no ART index (see table-definition.ts).
        ...(engine.kind === "postgres" ? ["create-index fact_events"] : []),
        "create-table daily_events",
        // Only PostgreSQL keeps a real materialized view of an aggregate.
        ...(engine.kind === "postgres" ? ["create-materialized-view daily_events"] : []),
      ]);
      const first = await applyWarehouse(engine, model);
      expect(first.applied).toHaveLength(plan.steps.length);
      expect(await kinds(model)).toEqual([]);
      const second = await applyWarehouse(engine, model);
      expect(second.applied).toEqual([]);
      const q = (t: string) => `${engine.dialect.quoteIdent(schema)}.${engine.dialect.quoteIdent(t)}`;
      const [counts] = await engine.query<{ dates: unknown; times: unknown; members: unknown }>(
        `SELECT (SELECT count(*) FROM ${q("dim_date")}) AS dates, (SELECT count(*) FROM ${q("dim_time")}) AS times,
                (SELECT count(*) FROM ${q("dim_users")} WHERE user_key = -1 AND is_current AND row_hash = 'unknown') AS members`,
      );
      expect([Number(counts!.dates), Number(counts!.times), Number(counts!.members)]).toEqual([31, 1440, 1]);
      if (engine.kind === "postgres") {
        const [mv] = await engine.query<{ populated: boolean }>(
          "SELECT ispopulated AS populated FROM pg_matviews WHERE schemaname = $1 AND matviewname = 'daily_events_mv'",
          [schema],
        );
        expect(mv?.populated).toBe(true);
      }
    });

    it("plans only add-column for a new model column, and the table gets it", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const wider = warehouse({
        schema,
        users: { user_id: "uuid", email: "varchar", score: "integer", city: "varchar" },
      });
      const plan = await planWarehouse(engine, wider);
      expect(plan.steps.map((s) => [s.kind, s.destructive])).toEqual([["add-column", false]]);
      expect(plan.steps[0]!.reason).toContain("city");
      await applyWarehouse(engine, wider);
      expect(await columnsOf(schema, "dim_users")).toContain("city");
      expect(await kinds(wider)).toEqual([]);
    });

    it("adds a NOT NULL column as declared to an empty table", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const model = warehouse({
        schema,
        events: {
          event_id: "bigint",
          date_key: "integer",
          amount: "decimal(18,2)",
          kind: { type: "varchar", nullable: false },
        },
      });
      const plan = await planWarehouse(engine, model);
      // The fact has no index on DuckDB, so no index is dropped and re-created around the ALTER.
      expect(plan.steps.map((s) => s.kind)).toEqual(["add-column"]);
      await applyWarehouse(engine, model);
      const [col] = await engine.query<{ nullable: string }>(
        "SELECT is_nullable AS nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'fact_events' AND column_name = 'kind'",
        [schema],
      );
      expect(col?.nullable).toBe("NO");
      expect(await kinds(model)).toEqual([]);
    });

    it("refuses to drop a column the model no longer has unless destructive changes are allowed", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const narrower = warehouse({ schema, users: { user_id: "uuid", email: "varchar" } });
      const plan = await planWarehouse(engine, narrower);
      const destructive = plan.steps.filter((s) => s.destructive);
      expect(destructive.map((s) => s.kind)).toEqual(["drop-column"]);
      await expect(applyWarehouse(engine, narrower)).rejects.toMatchObject({
        code: "WAREHOUSE_CHANGE_REFUSED",
        message: expect.stringContaining("score"),
      });
      // Refused before anything ran: the column is still there.
      expect(await columnsOf(schema, "dim_users")).toContain("score");
      await applyWarehouse(engine, narrower, { allowDestructive: true });
      expect(await columnsOf(schema, "dim_users")).not.toContain("score");
      expect(await kinds(narrower)).toEqual([]);
      // The indexes DuckDB had to drop around the ALTER are back.
      expect(await kinds(warehouse({ schema, users: { user_id: "uuid", email: "varchar" } }))).toEqual([]);
    });

    it("refuses a narrowing type change, applies a widening one without asking", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const widened = warehouse({ schema, users: { user_id: "uuid", email: "varchar", score: "bigint" } });
      const widen = await planWarehouse(engine, widened);
      expect(widen.steps.map((s) => [s.kind, s.destructive])).toEqual(
        // DuckDB alters no indexed table: its indexes are dropped and created again around it.
        engine.kind === "duckdb"
          ? [
              ["drop-index", false],
              ["change-type", false],
              ["create-index", false],
              ["create-index", false],
            ]
          : [["change-type", false]],
      );
      await applyWarehouse(engine, widened);
      expect(await kinds(widened)).toEqual([]);
      const narrowed = warehouse({ schema, users: { user_id: "uuid", email: "varchar", score: "integer" } });
      const narrow = await planWarehouse(engine, narrowed);
      expect(narrow.steps.filter((s) => s.destructive).map((s) => s.kind)).toEqual(["change-type"]);
      await expect(applyWarehouse(engine, narrowed)).rejects.toMatchObject({
        code: "WAREHOUSE_CHANGE_REFUSED",
      });
      const retyped = warehouse({ schema, users: { user_id: "uuid", email: "integer", score: "bigint" } });
      const kind = await planWarehouse(engine, retyped);
      expect(kind.steps.filter((s) => s.destructive).map((s) => s.reason)).toEqual([
        expect.stringContaining("column email"),
      ]);
    });

    it("sees no change in engine spellings of the declared types", async () => {
      const schema = fresh();
      const d = engine.dialect;
      await engine.createSchema(schema);
      // The catalog's own spellings: character varying / VARCHAR, double precision, with time zone, numeric(18,2).
      const types =
        engine.kind === "postgres"
          ? ["character varying", "double precision", "timestamp with time zone", "numeric(18,2)", "int8"]
          : ["VARCHAR", "DOUBLE", "TIMESTAMP WITH TIME ZONE", "DECIMAL(18,2)", "INT8"];
      await engine.run(
        `CREATE TABLE ${d.quoteIdent(schema)}.spelled (k INTEGER NOT NULL${engine.kind === "postgres" ? " PRIMARY KEY" : ""}, a ${types[0]}, b ${types[1]}, c ${types[2]}, e ${types[3]}, f ${types[4]})`,
      );
      const model = defineWarehouse({
        name: "spelled",
        tables: [
          defineAggregate({
            name: "spelled",
            schema,
            from: warehouse({ schema }).tables[3] as never,
            select: "SELECT 1",
            columns: {
              k: "integer",
              a: "varchar",
              b: "double",
              c: "timestamptz",
              e: "decimal(18,2)",
              f: "bigint",
            },
            groupBy: ["k"],
            incrementalKey: "k",
          }),
        ],
      });
      expect(await kinds(model)).toEqual([]);
    });

    it("creates and re-plans empty with hostile schema, table and column names", async () => {
      const schema = fresh('we"ird');
      const users = defineDimension({
        name: 'dim "users"; --',
        schema,
        surrogateKey: "user key",
        naturalKey: 'e-mail"x',
        columns: { 'e-mail"x': "varchar", "drop table; x": "integer" },
        indexes: [["drop table; x"]],
        unknownMember: { values: { "drop table; x": 0 } },
      });
      const model = defineWarehouse({
        name: "hostile",
        tables: [users, dateDimension({ schema, name: "dim ' date", from: "2024-02-27", to: "2024-03-01" })],
      });
      await applyWarehouse(engine, model);
      expect(await kinds(model)).toEqual([]);
      const rows = await engine.query(
        `SELECT * FROM ${engine.dialect.quoteTable({ schema, name: 'dim "users"; --' })}`,
      );
      expect(rows).toMatchObject([{ "user key": -1, 'e-mail"x': "unknown", "drop table; x": 0 }]);
      const dates = await engine.query(
        `SELECT count(*) AS n FROM ${engine.dialect.quoteTable({ schema, name: "dim ' date" })}`,
      );
      expect(Number(dates[0]!.n)).toBe(4);
    });

    it("adds only the missing dates when the date dimension's range grows", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const longer = warehouse({ schema, dateTo: "2024-02-29" });
      const plan = await planWarehouse(engine, longer);
      expect(plan.steps.map((s) => [s.kind, s.reason])).toEqual([
        ["insert-rows", "29 of 60 dates 2024-01-01..2024-02-29 are missing"],
      ]);
      await applyWarehouse(engine, longer);
      const [row] = await engine.query(
        `SELECT count(*) AS n, max(date_key) AS last FROM ${engine.dialect.quoteTable({ schema, name: "dim_date" })}`,
      );
      expect([Number(row!.n), Number(row!.last)]).toEqual([60, 20240229]);
      expect(await kinds(longer)).toEqual([]);
    });

    it("leaves a NOT NULL declaration on a column holding NULLs as a notice, not a failing step", async () => {
      const schema = fresh();
      await applyWarehouse(engine, warehouse({ schema }));
      const t = engine.dialect.quoteTable({ schema, name: "dim_users" });
      await engine.run(
        `INSERT INTO ${t} (user_key, user_id, email, effective_date, is_current, row_hash) VALUES (1, '00000000-0000-0000-0000-000000000001', NULL, DATE '2024-01-01', true, 'h')`,
      );
      const strict = warehouse({
        schema,
        users: { user_id: "uuid", email: { type: "varchar", nullable: false }, score: "integer" },
      });
      const plan = await planWarehouse(engine, strict);
      expect(plan.steps).toEqual([]);
      expect(plan.notices).toEqual([
        expect.stringMatching(/column email is declared NOT NULL but holds 2 NULL values/),
      ]);
    });
  });
}

planSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  planSuite("PostgreSQL", () => openEngine(POSTGRES_URL));

  it("refuses a materialized view SELECT that holds a second statement, and drops nothing", async () => {
    const engine = await openEngine(POSTGRES_URL);
    const schema = `wh_mv_${RUN}`;
    try {
      const base = warehouse({ schema });
      await applyWarehouse(
        engine,
        defineWarehouse({ name: "base", tables: base.tables.slice(0, 4) as never }),
      );
      const hostile = defineAggregate({
        name: "bad_agg",
        schema,
        from: base.tables[3] as never,
        select: `SELECT user_key, count(*) AS n FROM "${schema}".fact_events GROUP BY user_key; DROP TABLE "${schema}".dim_date`,
        columns: { user_key: "bigint", n: "bigint" },
        groupBy: ["user_key"],
        incrementalKey: "user_key",
        materializedView: true,
      });
      await expect(
        applyWarehouse(engine, defineWarehouse({ name: "bad", tables: [hostile] })),
      ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED", details: { sqlState: "42601" } });
      const [kept] = await engine.query(`SELECT count(*) AS n FROM "${schema}".dim_date`);
      expect(Number(kept!.n)).toBe(31);
    } finally {
      await engine.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await engine.close();
    }
  });
});
