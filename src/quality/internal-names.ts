/**
 * Names weir gives its own columns inside generated SQL (flags, window values, the row
 * position), chosen so that no column of the target can capture them: a subquery selecting
 * `*, <expr> AS weir_f0` over a table that already has a `weir_f0` column would make every
 * later reference to it ambiguous — or, on DuckDB, silently the user's column (DuckDB renames
 * the second one `weir_f0_1`).
 *
 * The prefix is `weir_` unless a column starts with it (compared case-insensitively, as
 * DuckDB resolves names), then `weir1_`, `weir2_`, … until none does.
 */
export interface InternalNames {
  /** The unquoted internal name for `local` (e.g. "f0" → "weir_f0"). */
  column(local: string): string;
}

export function internalNames(columns: readonly string[]): InternalNames {
  const lower = columns.map((c) => c.toLowerCase());
  let prefix = "weir_";
  for (let n = 1; lower.some((c) => c.startsWith(prefix)); n++) prefix = `weir${n}_`;
  return { column: (local) => `${prefix}${local}` };
}
