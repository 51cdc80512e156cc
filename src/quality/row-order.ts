import { ConfigError } from "../core/errors.js";
import type { Field, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";

/**
 * The order weir reads a target's rows in ("row order"): what `partial_unexpected_list` takes
 * the FIRST failing rows of, and what increasing/decreasing compare neighbours in without
 * `order_by`. For a table it is the engine's scan order — DuckDB's `rowid` (insertion order),
 * PostgreSQL's `ctid` (physical order: insertion order until rows are updated or the table is
 * rewritten); for a view or a query, the order the rows come out, numbered by
 * `row_number() OVER ()` (DuckDB keeps a plain scan's order; PostgreSQL's is its plan's).
 */
export type RowOrderSource =
  | { kind: "natural"; sql: string }
  | { kind: "numbered"; sql: string; reason: "query" | "view" | "shadowed" };

/** Table types whose rows have a `rowid` / `ctid`. */
const BASE_TABLES = new Set(["BASE TABLE", "LOCAL TEMPORARY"]);

/** How a target's row order is read; one catalog query for a table. */
export async function rowOrderSource(
  engine: Engine,
  target: TableRef | { sql: string },
  fields: readonly Field[],
): Promise<RowOrderSource> {
  const numbered = (reason: "query" | "view" | "shadowed"): RowOrderSource => ({
    kind: "numbered",
    sql: "row_number() OVER ()",
    reason,
  });
  if ("sql" in target) return numbered("query");
  const natural = EXPECTATION_SQL[engine.kind].naturalOrder;
  // DuckDB lets a column be named rowid, and the column then hides the pseudo-column.
  if (fields.some((f) => f.name.toLowerCase() === natural)) return numbered("shadowed");
  const schema = target.schema === undefined ? "current_schema()" : "$2";
  const params = target.schema === undefined ? [target.name] : [target.name, target.schema];
  const rows = await engine.query<{ table_type: string }>(
    `SELECT table_type FROM information_schema.tables WHERE table_name = $1 AND table_schema = ${schema}`,
    params,
  );
  const type = rows[0]?.table_type;
  return type !== undefined && BASE_TABLES.has(type) ? { kind: "natural", sql: natural } : numbered("view");
}

/**
 * The row order as an expression over the table itself, for row-level predicates
 * (quarantine) that read the table directly: only its own pseudo-column will do.
 */
export function tableRowOrder(engine: Engine, fields: readonly Field[] | undefined, what: string): string {
  const natural = EXPECTATION_SQL[engine.kind].naturalOrder;
  if (fields?.some((f) => f.name.toLowerCase() === natural)) {
    throw new ConfigError(
      `${what} needs order_by here: the table has a column named ${natural}, which hides the engine's row order`,
    );
  }
  return natural;
}
