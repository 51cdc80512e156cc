import { messageOf } from "../core/errors.js";
import type { Field, WeirType } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";
import type { Engine } from "../engines/engine.js";

/**
 * An inferred type must never change a value. DuckDB's CSV sniffer types a column from a
 * sample (the first 20,480 rows): a column of zip codes whose `00501` comes later is
 * sniffed BIGINT and `00501` would land as `501`. So an undeclared column sniffed as a
 * number is read as text and each value is cast back only when its text is exactly what
 * the number prints as — the sniffer's own rule (it keeps `00501` text when it sees one),
 * applied to every row. A value that fails stops the statement with a marker
 * (`error()`), and the extract is run again with the column as text.
 */

/** What `error()` raises for a column that must stay text; its name follows. */
const WIDEN_MARKER = "weir-widen-to-text:";

/** The logical types whose text the check covers (the sniffer's numeric candidates). */
export function isCheckedNumberType(type: WeirType): boolean {
  return type === "integer" || type === "bigint" || type === "double";
}

/** Plain decimal notation with no leading zero, `+`, space or separator (exponent allowed). */
const PLAIN_NUMBER = "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?";
/** A double holds every decimal of up to 15 significant digits exactly. */
const DOUBLE_DIGITS = 15;

/**
 * SQL that is true when the text `column` holds reads as `type` without changing:
 * for integers, the number prints back as the same text (so no leading zeros, `+`,
 * spaces, separators or digits beyond the type's range); for doubles, plain notation
 * with at most 15 significant digits.
 */
export function faithfulNumberSql(dialect: Dialect, column: string, type: WeirType): string {
  const sqlType = dialect.typeName(type);
  if (type === "double") {
    const digits = `length(ltrim(regexp_replace(regexp_replace(${column}, '[eE].*$', ''), '[^0-9]', '', 'g'), '0'))`;
    return `coalesce(regexp_full_match(${column}, '${PLAIN_NUMBER}') AND isfinite(TRY_CAST(${column} AS ${sqlType})) AND ${digits} <= ${DOUBLE_DIGITS}, false)`;
  }
  // A value the type cannot hold casts to NULL: coalesce makes that "changes" too.
  return `coalesce(CAST(TRY_CAST(${column} AS ${sqlType}) AS VARCHAR) = ${column}, false)`;
}

/**
 * The select item for a checked column: the cast value, or an error naming the column
 * when a value would change, which `widenedColumnOf` recognises.
 */
export function checkedNumberSql(dialect: Dialect, field: Field): string {
  const column = dialect.quoteIdent(field.name);
  const marker = dialect.quoteLiteral(`${WIDEN_MARKER}${field.name}`);
  return `CASE WHEN ${column} IS NULL OR ${faithfulNumberSql(dialect, column, field.type)} THEN CAST(${column} AS ${dialect.typeName(field.type)}) ELSE error(${marker}) END AS ${column}`;
}

/** True when `error` (or one of its causes) is a checked column's marker. */
export function isWidenError(error: unknown): boolean {
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if (messageOf(e).includes(WIDEN_MARKER)) return true;
  }
  return false;
}

/**
 * One aggregate pass over `relationSql` (the scan with the checked columns as text):
 * the columns holding a value that would change, each with a note that quotes one such
 * value and what it would have become, e.g. `text: "00501" would read as 501 as bigint`.
 */
export async function unfaithfulColumns(
  engine: Engine,
  relationSql: string,
  fields: readonly Field[],
): Promise<Map<string, string>> {
  const { dialect } = engine;
  const items = fields.flatMap((f, i) => {
    const c = dialect.quoteIdent(f.name);
    const bad = `${c} IS NOT NULL AND NOT ${faithfulNumberSql(dialect, c, f.type)}`;
    return [
      `count(*) FILTER (WHERE ${bad}) AS n${i}`,
      `min(${c}) FILTER (WHERE ${bad}) AS v${i}`,
      `CAST(TRY_CAST(min(${c}) FILTER (WHERE ${bad}) AS ${dialect.typeName(f.type)}) AS VARCHAR) AS c${i}`,
    ];
  });
  const [row] = await engine.query<Record<string, unknown>>(`SELECT ${items.join(", ")} FROM ${relationSql}`);
  const notes = new Map<string, string>();
  fields.forEach((f, i) => {
    const count = Number(row?.[`n${i}`] ?? 0);
    if (count === 0) return;
    const value = JSON.stringify(String(row?.[`v${i}`]));
    const cast = row?.[`c${i}`];
    const what =
      cast === null || cast === undefined
        ? `${value} is not a ${f.type}`
        : `${value} would read as ${cast} as ${f.type}`;
    const more = count > 1 ? ` (${count} such values)` : "";
    notes.set(f.name, `text: ${what}${more}`);
  });
  return notes;
}
