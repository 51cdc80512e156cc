import type { SqlWithParams } from "../../engines/dialect.js";
import type { Engine } from "../../engines/engine.js";
import type { ColumnDefinition } from "../model/column-types.js";
import { sqlTypeName } from "../model/column-types.js";
import type { DimensionModel } from "../model/define-dimension.js";
import { modelTable } from "../model/define-warehouse.js";
import { ModelError } from "../model/model-error.js";

type Value = string | number | boolean | null;

/** The effective time of the unknown member's one version: before any real one. */
const BEGINNING = "1900-01-01";

/**
 * A stand-in for a NOT NULL column the member gives no value (natural keys are NOT NULL):
 * `"unknown"` for text, the nil UUID, the member's key for numbers, false, 1900-01-01.
 */
function placeholder(column: ColumnDefinition, key: number): Value {
  switch (column.type) {
    case "varchar":
      return "unknown";
    case "uuid":
      return "00000000-0000-0000-0000-000000000000";
    case "boolean":
      return false;
    case "date":
      return BEGINNING;
    case "timestamp":
    case "timestamptz":
      return `${BEGINNING} 00:00:00`;
    case "json":
      return "null";
    case "blob":
      return null;
    default:
      return key;
  }
}

/**
 * The unknown member's row, column by column: the surrogate key, natural key text columns
 * `"unknown"`, attributes from `unknownMember.values` (NULL otherwise, or a placeholder for
 * a NOT NULL column), and for type 2 one open version from 1900-01-01 with hash `"unknown"`.
 */
export function unknownMemberRow(dim: DimensionModel): [ColumnDefinition, Value][] | undefined {
  const member = dim.unknownMember;
  if (!member) return undefined;
  const attributes = new Set(dim.attributes.map((a) => a.name));
  for (const name of Object.keys(member.values)) {
    if (!attributes.has(name)) {
      throw new ModelError(
        `dimension ${dim.name}: unknownMember value ${JSON.stringify(name)} is not one of its attributes`,
      );
    }
  }
  const v = dim.validity;
  const beginning = v.type === "date" ? BEGINNING : `${BEGINNING} 00:00:00`;
  return dim.columns.map((c): [ColumnDefinition, Value] => {
    if (c.name === dim.surrogateKey) return [c, member.key];
    if (Object.hasOwn(member.values, c.name)) return [c, member.values[c.name]!];
    if (dim.scdType === 2) {
      if (c.name === v.from) return [c, beginning];
      if (c.name === v.to) return [c, null];
      if (c.name === v.current) return [c, true];
      if (c.name === dim.hashColumn) return [c, "unknown"];
    }
    if (dim.naturalKey.includes(c.name) && c.type === "varchar") return [c, "unknown"];
    return [c, c.nullable ? null : placeholder(c, member.key)];
  });
}

/** `INSERT … VALUES … ON CONFLICT (surrogate key) DO NOTHING` of the unknown member, values bound. */
export function unknownMemberInsert(engine: Engine, dim: DimensionModel): SqlWithParams | undefined {
  const row = unknownMemberRow(dim);
  if (!row) return undefined;
  const d = engine.dialect;
  const values = row.map(([c], i) => `CAST($${i + 1} AS ${sqlTypeName(engine.kind, c.type)})`);
  return {
    sql: `INSERT INTO ${d.quoteTable(modelTable(dim))} (${row.map(([c]) => d.quoteIdent(c.name)).join(", ")}) VALUES (${values.join(", ")}) ON CONFLICT (${d.quoteIdent(dim.surrogateKey)}) DO NOTHING`,
    params: row.map(([, value]) => value),
  };
}

/** Whether the dimension holds its unknown member's row. */
export async function hasUnknownMember(engine: Engine, dim: DimensionModel): Promise<boolean> {
  if (!dim.unknownMember) return true;
  const d = engine.dialect;
  const rows = await engine.query(
    `SELECT 1 AS found FROM ${d.quoteTable(modelTable(dim))} WHERE ${d.quoteIdent(dim.surrogateKey)} = $1`,
    [dim.unknownMember.key],
  );
  return rows.length > 0;
}

/**
 * Inserts the dimension's unknown member unless its key is there (safe to run again, and at
 * the same time as another session). Returns whether a row was inserted.
 */
export async function ensureUnknownMember(engine: Engine, dim: DimensionModel): Promise<boolean> {
  const insert = unknownMemberInsert(engine, dim);
  if (!insert) return false;
  return (await engine.run(insert.sql, insert.params)) > 0;
}
