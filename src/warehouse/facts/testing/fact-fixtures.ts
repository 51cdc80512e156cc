import type { Engine } from "../../../engines/engine.js";
import { createModelTable } from "../../ddl/create-table-sql.js";
import { tableDefinition } from "../../ddl/table-definition.js";
import { ensureUnknownMember } from "../../ddl/unknown-member.js";
import { type DimensionModel, defineDimension } from "../../model/define-dimension.js";
import { defineFact, type FactModel } from "../../model/define-fact.js";
import { modelTable } from "../../model/define-warehouse.js";
import { dateKeySql } from "../time-keys-sql.js";

/** Test users: A changes segment at 2024-06-03, B never changes, C arrives later. */
export const USER_A = "00000000-0000-0000-0000-00000000000a";
export const USER_B = "00000000-0000-0000-0000-00000000000b";
export const USER_C = "00000000-0000-0000-0000-00000000000c";

/** A small SCD2 user dimension and an event fact keyed to it as of `created_at`. */
export function factModels(
  schema: string,
  names: { dim: string; fact: string },
  options: { unknownMember?: boolean } = {},
): { dim: DimensionModel; fact: FactModel } {
  const dim = defineDimension({
    name: names.dim,
    schema,
    surrogateKey: "user_key",
    naturalKey: "user_id",
    columns: { user_id: "uuid", email: "varchar", user_segment: "varchar" },
    ...(options.unknownMember === false ? { unknownMember: false as const } : {}),
  });
  const fact = defineFact({
    name: names.fact,
    schema,
    grain: ["event_id"],
    columns: {
      event_id: "bigint",
      date_key: "integer",
      event_type: "varchar",
      properties: "json",
      created_at: "timestamptz",
    },
    dimensionKeys: [
      { column: "user_key", dimension: dim, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
    ],
    partitionBy: { column: "date_key", granularity: "month" },
    loadBy: "date_key",
    indexes: [["user_key", "date_key"]],
  });
  return { dim, fact };
}

/** Creates both tables (and the unknown member), as `weir warehouse apply` would. */
export async function createFactTables(engine: Engine, models: { dim: DimensionModel; fact: FactModel }) {
  await createModelTable(engine, tableDefinition(models.dim, engine.kind));
  await createModelTable(engine, tableDefinition(models.fact, engine.kind));
  await ensureUnknownMember(engine, models.dim);
}

/** One SCD2 version, written with plain INSERTs (the SCD loader is tested on its own). */
export interface Version {
  key: number;
  user: string;
  segment: string;
  from: string;
  to: string | null;
}

export async function insertVersions(
  engine: Engine,
  dim: DimensionModel,
  versions: Version[],
): Promise<void> {
  const d = engine.dialect;
  const cols = dim.columns.map((c) => d.quoteIdent(c.name)).join(", ");
  for (const v of versions) {
    await engine.run(
      `INSERT INTO ${d.quoteTable(modelTable(dim))} (${cols}) VALUES ($1, CAST($2 AS UUID), $3, $4, CAST($5 AS DATE), CAST($6 AS DATE), $7, $8)`,
      [v.key, v.user, `${v.user.slice(-1)}@example.com`, v.segment, v.from, v.to, v.to === null, `h${v.key}`],
    );
  }
}

/** An input event: `at` an ISO instant or null. */
export interface Event {
  id: number | null;
  user: string | null;
  at: string | null;
  type?: string;
  properties?: string;
}

/**
 * A staging table holding events in the given order, and the load's input query over it:
 * `date_key` derived from `created_at` with `dateKeySql`, as a pipeline would.
 */
export async function stageEvents(
  engine: Engine,
  schema: string,
  name: string,
  events: Event[],
): Promise<{ sql: string }> {
  const d = engine.dialect;
  const table = d.quoteTable({ schema, name });
  const text = d.typeName("varchar");
  await engine.run(`DROP TABLE IF EXISTS ${table}`);
  // On PostgreSQL the text column orders linguistically when ICU is there ("apple" before
  // "Zebra"), so a load that forgot to order by bytes would keep another row than DuckDB.
  const icu =
    engine.kind === "postgres" &&
    (await engine.query("SELECT 1 AS found FROM pg_collation WHERE collname = 'und-x-icu'")).length > 0;
  await engine.run(
    `CREATE TABLE ${table} (event_id BIGINT, user_id UUID, event_type ${text}${icu ? ' COLLATE "und-x-icu"' : ""}, properties ${d.typeName("json")}, created_at TIMESTAMPTZ)`,
  );
  for (const e of events) {
    await engine.run(
      `INSERT INTO ${table} VALUES ($1, CAST($2 AS UUID), $3, CAST($4 AS ${d.typeName("json")}), CAST($5 AS TIMESTAMPTZ))`,
      [e.id, e.user, e.type ?? "view", e.properties ?? '{"n": 1}', e.at],
    );
  }
  return {
    sql: `SELECT event_id, user_id, ${dateKeySql(engine, "created_at")} AS date_key, event_type, properties, created_at FROM ${table}`,
  };
}
