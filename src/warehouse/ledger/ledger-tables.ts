import type { Schema, TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import { retryCreateRace } from "../../engines/create-race.js";
import type { Engine } from "../../engines/engine.js";

/**
 * The warehouse's own bookkeeping, in the warehouse engine's schema `weir_warehouse`. Each
 * row is written in the same transaction as the data it describes, so after a crash the
 * ledger and the tables agree: both show the previous load or both the new one.
 *
 * - `snapshot_loads(table_name, as_of, content_hash, loaded_at_seq)`: one row per snapshot
 *   date loaded into a dimension; `loaded_at_seq` counts that table's loads (1, 2, …) in the
 *   order they were made (no clock, so both engines hold the same rows).
 * - `fact_loads(load_seq, table_name, load_value)`: one row per `loadBy` value replaced by a
 *   fact load; every value of one load shares its `load_seq` (1, 2, … per table).
 * - `aggregate_state(aggregate_name, last_load_seq)`: the last fact load an incremental
 *   aggregate has taken in.
 *
 * Table names are the qualified label of the model table (`schema.name`, or `name` for a
 * model in the engine's default schema): see {@link ledgerTableName}.
 */
export const LEDGER_SCHEMA = "weir_warehouse";

export const SNAPSHOT_LOADS: TableRef = { schema: LEDGER_SCHEMA, name: "snapshot_loads" };
export const FACT_LOADS: TableRef = { schema: LEDGER_SCHEMA, name: "fact_loads" };
export const AGGREGATE_STATE: TableRef = { schema: LEDGER_SCHEMA, name: "aggregate_state" };

const TABLES: { table: TableRef; schema: Schema; primaryKey: string[] }[] = [
  {
    table: SNAPSHOT_LOADS,
    schema: {
      fields: [
        { name: "table_name", type: "varchar", nullable: false },
        { name: "as_of", type: "date", nullable: false },
        { name: "content_hash", type: "varchar", nullable: false },
        { name: "loaded_at_seq", type: "bigint", nullable: false },
      ],
    },
    primaryKey: ["table_name", "as_of"],
  },
  {
    table: FACT_LOADS,
    schema: {
      fields: [
        { name: "load_seq", type: "bigint", nullable: false },
        { name: "table_name", type: "varchar", nullable: false },
        { name: "load_value", type: "varchar", nullable: false },
      ],
    },
    primaryKey: ["table_name", "load_seq", "load_value"],
  },
  {
    table: AGGREGATE_STATE,
    schema: {
      fields: [
        { name: "aggregate_name", type: "varchar", nullable: false },
        { name: "last_load_seq", type: "bigint", nullable: false },
      ],
    },
    primaryKey: ["aggregate_name"],
  },
];

/**
 * Creates the schema and the ledger tables unless they exist. Call it before the load's
 * transaction (as `loadSnapshot` does): outside a transaction a create that loses a race
 * with another session is retried (see `createSchema`); the tables that exist already are
 * only looked up, so inside a transaction it costs three catalog reads.
 */
export async function ensureLedger(engine: Engine): Promise<void> {
  for (const { table, schema, primaryKey } of TABLES) {
    if (await engine.describe(table)) continue;
    await retryCreateRace(() => engine.createTable(table, schema, { ifNotExists: true, primaryKey }));
  }
}

/** The name a table goes by in the ledger: its qualified label. */
export function ledgerTableName(table: TableRef | string): string {
  return typeof table === "string" ? table : tableLabel(table);
}
