import { ConfigError } from "../core/errors.js";
import type { Field, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { logicalFromDuckDB } from "./file-extract.js";

/**
 * The columns `read_json` infers from a sample of records, or undefined when it cannot say
 * (it fails, or turns input with non-object records into one `json` column). DuckDB types a
 * field whose sampled values mix kinds (a string here, a number there) or are all null as
 * `JSON`; that is text here — a JSON column would make `WHERE title = 'x'` fail on `x` not
 * being JSON. Nested objects and arrays (STRUCT, LIST) are `json`.
 */
export async function describeJsonFields(engine: Engine, probe: string): Promise<Field[] | undefined> {
  const rows = await engine
    .query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${probe}`)
    .catch(() => undefined);
  if (!rows || rows.length === 0) return undefined;
  if (rows.length === 1 && rows[0]!.column_name === "json") return undefined;
  return rows.map((r) => ({ name: r.column_name, type: jsonFieldType(engine, r.column_type) }));
}

function jsonFieldType(engine: Engine, duckType: string): WeirType {
  const t = duckType.toUpperCase();
  if (t === "JSON" || t === "NULL") return "varchar";
  return logicalFromDuckDB(engine, duckType);
}

/**
 * The columns from the structure of every object in `objectsSql` (a relation with one
 * text column `line` holding objects): for input where some records are not objects.
 */
export async function structureFields(engine: Engine, objectsSql: string): Promise<Field[]> {
  const rows = await engine.query<{ s: string | null }>(
    `SELECT json_group_structure(CAST(line AS JSON))::VARCHAR AS s FROM ${objectsSql}`,
  );
  const parsed: unknown = JSON.parse(rows[0]?.s ?? "{}");
  const structure = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  return Object.entries(structure).map(([name, t]) => ({ name, type: structureType(t) }));
}

/** A logical type for a `json_group_structure` entry: nested structures are json, mixed kinds text. */
function structureType(t: unknown): WeirType {
  if (typeof t !== "string") return "json";
  if (/^U?(BIGINT|INTEGER)$/.test(t)) return "bigint";
  if (t === "DOUBLE") return "double";
  if (t === "BOOLEAN") return "boolean";
  return "varchar";
}

/** The fields with the declared `columns` types on top; a declared name no field has is an error. */
export function withDeclaredTypes(
  fields: readonly Field[],
  declared: Record<string, WeirType>,
  location: string,
): Field[] {
  for (const name of Object.keys(declared)) {
    if (!fields.some((f) => f.name === name)) {
      const names = fields.map((f) => f.name).join(", ");
      throw new ConfigError(`${location}: column override "${name}" matches no field (${names})`, {
        details: { location, column: name },
      });
    }
  }
  return fields.map((f) => ({ name: f.name, type: declared[f.name] ?? f.type }));
}
