import type { TableRef } from "../../core/types.js";
import type { Dialect } from "../../engines/dialect.js";

/** The values of one statement's `$1`, `$2`…, numbered as conditions bind them. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Binds `value` and returns its placeholder. */
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A WHERE condition whose values are bound through `params`, never pasted. */
export type Condition = (params: SqlParams) => string;

/**
 * Raw lines of rejected records (`{"raw": "1,Ann,ann@x.com"}`) are matched by containing
 * the value; a shorter value (an id such as `42`) would also be found inside unrelated lines.
 */
export const MIN_RAW_LINE_MATCH = 5;

/**
 * The column's text is one of `values`. A text column is compared as it is (an index
 * helps); any other type as its text, since the subject's value comes as text.
 *
 * @example
 * columnIn(dialect, "email", true, ["ann@x.com"])(params) // `"email" IN ($1)`
 */
export function columnIn(
  dialect: Dialect,
  column: string,
  isText: boolean,
  values: readonly string[],
): Condition {
  const ref = dialect.quoteIdent(column);
  const text = isText ? ref : `CAST(${ref} AS ${dialect.typeName("varchar")})`;
  return (params) => `${text} IN (${values.map((v) => params.bind(v)).join(", ")})`;
}

/**
 * A quarantined row holds the subject: its JSON `record` has `field` equal to one of
 * `values`; or it is a rejection of that field whose bad value is one of them
 * (`{"column": "email", "value": …}`); or, with `rawLines`, its raw line contains one.
 */
export function recordFieldIn(
  dialect: Dialect,
  recordColumn: string,
  field: string,
  values: readonly string[],
  rawLines: boolean,
): Condition {
  const record = `CAST(${dialect.quoteIdent(recordColumn)} AS ${dialect.typeName("json")})`;
  const text = dialect.typeName("varchar");
  return (params) => {
    const get = (key: string) => `(${record} ->> CAST(${params.bind(key)} AS ${text}))`;
    const list = () => values.map((v) => params.bind(v)).join(", ");
    const parts = [
      `${get(field)} IN (${list()})`,
      `(${get("column")} = ${params.bind(field)} AND ${get("value")} IN (${list()}))`,
    ];
    if (rawLines) {
      for (const value of values.filter((v) => v.length >= MIN_RAW_LINE_MATCH)) {
        parts.push(`strpos(${get("raw")}, ${params.bind(value)}) > 0`);
      }
    }
    return parts.join(" OR ");
  };
}

/** Any of `conditions`. */
export function anyOf(conditions: readonly Condition[]): Condition {
  return (params) => conditions.map((c) => `(${c(params)})`).join(" OR ");
}

/**
 * Every row of `table` sharing `keys` with a row matching `condition`: all versions of an
 * entity (a type 2 dimension's natural key) of which one holds the subject.
 */
export function sameEntity(
  dialect: Dialect,
  table: TableRef,
  keys: readonly string[],
  condition: Condition,
): Condition {
  const columns = keys.map((k) => dialect.quoteIdent(k)).join(", ");
  return (params) =>
    `(${columns}) IN (SELECT ${columns} FROM ${dialect.quoteTable(table)} WHERE ${condition(params)})`;
}
