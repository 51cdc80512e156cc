import { ConnectorError } from "../core/errors.js";
import type { Schema, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";

/**
 * What an inferred JSON column becomes when a record holds a value of another kind, the
 * way Spark and pandas infer JSON: integers and fractions make a double; any other mix
 * (a string among numbers, a number among booleans, a number past the integer range) makes
 * text, each value as its JSON text, so nothing is lost or changed and a plain
 * `WHERE title = '…'` works. Dates and times inferred from strings are not widened: a
 * value that is not one is rejected, so the column stays a date for cursors and arithmetic.
 */
export interface Widening {
  type: WeirType;
  /** Why, quoting one value: `varchar: "n/a" (a string) is not a bigint (3 such values)`. */
  note: string;
}

const WIDENABLE: ReadonlySet<WeirType> = new Set(["integer", "bigint", "double", "boolean"]);

/**
 * Raised from inside an extract when inferred columns must be widened; the source catches
 * it (anywhere in the cause chain), widens and extracts again.
 */
export class WidenColumns extends ConnectorError {
  constructor(
    location: string,
    readonly widened: Map<string, Widening>,
  ) {
    super(
      "SCHEMA_MISMATCH",
      `${location}: inferred columns need wider types: ${[...widened.keys()].join(", ")}`,
      {
        details: { location, columns: [...widened.keys()] },
      },
    );
  }
}

export function widenColumnsOf(error: unknown): WidenColumns | undefined {
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if (e instanceof WidenColumns) return e;
  }
  return undefined;
}

/**
 * The inferred, widenable columns of `schema` that some record of `parsed` did not fit,
 * with the type each must become. One query over the failures only.
 */
export async function neededWidenings(
  tx: Engine,
  parsed: string,
  schema: Schema,
  inferred: ReadonlySet<string>,
): Promise<Map<string, Widening>> {
  const candidates = schema.fields.filter((f) => inferred.has(f.name) && WIDENABLE.has(f.type));
  const widenings = new Map<string, Widening>();
  if (candidates.length === 0) return widenings;
  const names = candidates.map((f) => tx.dialect.quoteLiteral(f.name)).join(", ");
  const rows = await tx.query<{ c: string; fractions: boolean; v: string; k: string; n: number | bigint }>(
    `SELECT weir_failed_column AS c, bool_and(weir_failed_kind = 'DOUBLE') AS fractions,
            arg_min(weir_failed_value, weir_line) AS v, arg_min(weir_failed_kind, weir_line) AS k, count(*) AS n
       FROM ${tx.dialect.quoteIdent(parsed)} WHERE weir_failed_column IN (${names}) GROUP BY 1`,
  );
  for (const row of rows) {
    const from = candidates.find((f) => f.name === row.c)!.type;
    const fractions = (from === "integer" || from === "bigint") && row.fractions;
    const type: WeirType = fractions ? "double" : "varchar";
    const value = row.k === "VARCHAR" ? `${JSON.stringify(row.v)} (a string)` : row.v;
    const count = Number(row.n);
    const more = count > 1 ? ` (${count} such values)` : "";
    widenings.set(row.c, {
      type,
      note: `${type === "varchar" ? "text" : type}: ${value} is not a ${from}${more}`,
    });
  }
  return widenings;
}

/** The schema with the widened columns' new types. */
export function widenSchema(schema: Schema, widened: ReadonlyMap<string, Widening>): Schema {
  return {
    fields: schema.fields.map((f) => {
      const w = widened.get(f.name);
      return w ? { ...f, type: w.type } : f;
    }),
  };
}
