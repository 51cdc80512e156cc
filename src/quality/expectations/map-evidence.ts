/**
 * What a map expectation (a test per row) found, before a result format decides how much of
 * it to show: the counts, and the first failing rows in row order — each row's unexpected
 * value, its identifying columns and, when asked, the whole row.
 *
 * "Row order" is the order the engine scans the target in: a DuckDB table's `rowid`
 * (insertion order), a PostgreSQL table's `ctid` (physical order: insertion order until rows
 * are updated or vacuumed), a query's rows as it returns them. The lists hold the FIRST
 * failing rows in that order, as GX's SQL engines return them, not the smallest values.
 */
export interface MapCounts {
  /** Rows considered (inside row_condition). */
  element: number;
  /** Considered rows skipped as missing (NULL). */
  missing: number;
  /** Considered, non-missing rows that failed. */
  unexpected: number;
}

export interface MapEvidence {
  counts: MapCounts;
  /** The expectation is about NULLs, so every considered row is tested and nothing is missing. */
  aboutNulls: boolean;
  /** GX's `mostly`. */
  mostly: number | undefined;
  /**
   * The first failing rows' unexpected values, in row order: a value, `[a, b]` for a column
   * pair, an object by column name for several columns; undefined when not collected.
   */
  values?: unknown[];
  /** The same rows' identifying columns and the expectation's columns, as objects. */
  index?: Record<string, unknown>[];
  /** The same rows, every column. */
  rows?: Record<string, unknown>[];
}
