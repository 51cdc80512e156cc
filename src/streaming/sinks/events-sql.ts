import type { Field } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { EpochEvents } from "../contracts.js";

/**
 * A DuckDB query reading an epoch's NDJSON event file typed by the events' schema (DuckDB's
 * JSON reader, parallel). Timestamps are read as text and cast, so both ISO-8601 text and
 * epoch milliseconds (which the schema accepts) arrive as TIMESTAMPTZ.
 */
export function eventsQuery(engine: Engine, events: EpochEvents & { file: string }): string {
  const q = engine.dialect;
  const read = (f: Field) => (f.type === "timestamptz" ? "VARCHAR" : q.typeName(f.type));
  const columns = events.schema.fields
    .map((f) => `${q.quoteLiteral(f.name)}: ${q.quoteLiteral(read(f))}`)
    .join(", ");
  const select = events.schema.fields
    .map((f) => {
      const c = q.quoteIdent(f.name);
      if (f.type !== "timestamptz") return c;
      return `CASE WHEN TRY_CAST(${c} AS DOUBLE) IS NOT NULL THEN make_timestamptz(CAST(CAST(${c} AS DOUBLE) * 1000 AS BIGINT)) ELSE CAST(${c} AS TIMESTAMPTZ) END AS ${c}`;
    })
    .join(", ");
  return `SELECT ${select} FROM read_json(${q.quoteLiteral(events.file)}, format = 'newline_delimited', columns = {${columns}})`;
}
