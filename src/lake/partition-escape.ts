/**
 * Partition values DuckDB's Hive reader turns into NULL: `__HIVE_DEFAULT_PARTITION__` (the
 * folder value Hive and DuckDB write for a NULL) and `NULL` in any case. A text value equal to
 * one of them would otherwise read back as NULL, and share the NULL partition's folder with it.
 * Hive itself has no escape for this; weir appends a `~` to such values, and to those values
 * followed by `~`s, so the mapping stays one-to-one: `NULL` → `NULL~`, `NULL~` → `NULL~~`.
 * DuckDB writes `~` as is in folder names.
 */
const NULL_LIKE = "(?:__HIVE_DEFAULT_PARTITION__|[Nn][Uu][Ll][Ll])";
const ESCAPE = "~";
/** A value that gets escaped when written. */
const NEEDS_ESCAPE = new RegExp(`^${NULL_LIKE}${ESCAPE}*$`);
/** A folder value that was escaped. */
const ESCAPED = new RegExp(`^${NULL_LIKE}${ESCAPE}+$`);

/** The folder value weir writes for a text partition value (before percent-encoding). */
export function escapePartitionValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? `${value}${ESCAPE}` : value;
}

/** A partition value from its (percent-decoded) folder value: the inverse of `escapePartitionValue`. */
export function unescapePartitionValue(folderValue: string): string | null {
  if (ESCAPED.test(folderValue)) return folderValue.slice(0, -ESCAPE.length);
  // Never written by weir for a text value: what DuckDB reads as NULL, so NULL.
  if (NEEDS_ESCAPE.test(folderValue)) return null;
  return folderValue;
}

/** Whether files with this partition value are stored under an escaped folder value. */
export function isEscapedValue(value: string | null): boolean {
  return value !== null && NEEDS_ESCAPE.test(value);
}

/** DuckDB SQL computing `escapePartitionValue` of a VARCHAR column (NULL stays NULL). */
export function escapePartitionSql(column: string): string {
  return `CASE WHEN regexp_full_match(${column}, '${NEEDS_ESCAPE.source.slice(1, -1)}') THEN ${column} || '${ESCAPE}' ELSE ${column} END`;
}

/** DuckDB SQL undoing the escape on a VARCHAR partition column read from folder names. */
export function unescapePartitionSql(column: string): string {
  return `CASE WHEN regexp_full_match(${column}, '${ESCAPED.source.slice(1, -1)}') THEN left(${column}, length(${column}) - ${ESCAPE.length}) ELSE ${column} END`;
}
