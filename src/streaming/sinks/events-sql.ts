import { randomUUID } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Field } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { EpochEvents } from "../contracts.js";

/** Lines written per `writev`: big enough to be cheap, small enough not to build one huge string. */
const LINES_PER_WRITE = 8192;

/**
 * Writes an epoch's event lines to a scratch NDJSON file and returns it with a DuckDB
 * query that reads it typed by the events' schema (DuckDB's JSON reader, parallel).
 * Timestamps are read as text and cast, so both ISO-8601 text and epoch milliseconds
 * (which the schema accepts) arrive as TIMESTAMPTZ.
 */
export async function eventsQuery(
  engine: Engine,
  events: EpochEvents,
): Promise<{ sql: string; file: string }> {
  const file = join(tmpdir(), `weir-epoch-${process.pid}-${randomUUID()}.ndjson`);
  const handle = await open(file, "w");
  try {
    for (let i = 0; i < events.lines.length; i += LINES_PER_WRITE) {
      const part = events.lines.slice(i, i + LINES_PER_WRITE);
      await handle.write(`${part.join("\n")}\n`);
    }
  } finally {
    await handle.close();
  }
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
  const sql = `SELECT ${select} FROM read_json(${q.quoteLiteral(file)}, format = 'newline_delimited', columns = {${columns}})`;
  return { sql, file };
}

export async function removeEventsFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
