import type { ExpectationResult } from "./expectations/expectation.js";
import type { MapEvidence } from "./expectations/map-evidence.js";
import { mostlySuccess } from "./expectations/map-outcome.js";
import { percent } from "./expectations/result-values.js";
import { atLeast, MAX_RESULT_RECORDS, type ResultFormat } from "./result-format.js";

type Result = ExpectationResult["result"];

/** Extra evidence for COMPLETE: a query returning every failing row. */
export interface MapExtras {
  unexpectedIndexQuery?: string;
}

/**
 * A map expectation's result in `format`, key by key as GX's `_format_map_output`
 * (great_expectations/expectations/expectation.py): percents of the non-missing rows (of all
 * rows for the NULL expectations, which then carry no `missing_*`), null when there are no
 * rows; partial lists cut at `partial_unexpected_count`; `partial_unexpected_counts` counted
 * over the values collected, most frequent first, then by value.
 */
export function formatMapResult(
  evidence: MapEvidence,
  format: ResultFormat,
  extras: MapExtras = {},
): { success: boolean; result: Result } {
  const { element, missing, unexpected } = evidence.counts;
  const nonMissing = element - missing;
  const success = evidence.aboutNulls
    ? mostlySuccess(element, unexpected, evidence.mostly)
    : mostlySuccess(nonMissing, unexpected, evidence.mostly);
  if (format.result_format === "BOOLEAN_ONLY") return { success, result: {} };
  const partial = format.partial_unexpected_count;
  // Nothing collected (partial_unexpected_count 0) lists nothing: GX's `unexpected_list[:0]`.
  const values = format.exclude_unexpected_values ? undefined : (evidence.values ?? []);
  const total = element > 0 ? percent(unexpected, element) : null;
  const result: Result = {
    element_count: element,
    unexpected_count: unexpected,
    unexpected_percent: evidence.aboutNulls ? total : element > 0 ? percent(unexpected, nonMissing) : null,
  };
  if (values) result.partial_unexpected_list = values.slice(0, partial);
  const indexColumns = format.unexpected_index_column_names;
  if (indexColumns) result.unexpected_index_column_names = indexColumns;
  if (!evidence.aboutNulls) {
    result.missing_count = missing;
    result.missing_percent = element > 0 ? percent(missing, element) : null;
    result.unexpected_percent_total = total;
    result.unexpected_percent_nonmissing = result.unexpected_percent ?? null;
  }
  if (format.include_unexpected_rows) result.unexpected_rows = evidence.rows ?? [];
  if (!atLeast(format, "SUMMARY")) return { success, result };
  if (partial > 0) {
    if (values) result.partial_unexpected_counts = valueCounts(values, partial);
    if (indexColumns && evidence.index)
      result.partial_unexpected_index_list = evidence.index.slice(0, partial);
  }
  if (!atLeast(format, "COMPLETE")) return { success, result };
  if (values) result.unexpected_list = values;
  if (indexColumns && evidence.index) result.unexpected_index_list = evidence.index;
  if (format.return_unexpected_index_query && extras.unexpectedIndexQuery !== undefined)
    result.unexpected_index_query = extras.unexpectedIndexQuery;
  if (unexpected > MAX_RESULT_RECORDS && (values || evidence.index)) {
    // GX stops the lists at MAX_RESULT_RECORDS too; say so, and where the rest are.
    result.details = {
      unexpected_list_truncated: true,
      note: `unexpected_list and unexpected_index_list hold the first ${MAX_RESULT_RECORDS} of ${unexpected} unexpected rows; unexpected_index_query returns them all`,
    };
  }
  return { success, result };
}

/** A result in `format` for the kinds without per-row evidence: BOOLEAN_ONLY empties it. */
export function formatOtherResult(result: Result, format: ResultFormat): Result {
  return format.result_format === "BOOLEAN_ONLY" ? {} : result;
}

/**
 * GX: `Counter(values).most_common(n)` sorted by (−count, value). Ties within the cut are
 * broken by first occurrence, as `most_common` does; values compare by weir's total order
 * (null, booleans, numbers, text by code point, lists and objects by their JSON).
 */
export function valueCounts(values: readonly unknown[], n: number): { value: unknown; count: number }[] {
  const counts = new Map<string, { value: unknown; count: number; first: number }>();
  values.forEach((value, i) => {
    const key = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? "undefined";
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { value, count: 1, first: i });
  });
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.first - b.first)
    .slice(0, n)
    .sort((a, b) => b.count - a.count || compareValues(a.value, b.value))
    .map(({ value, count }) => ({ value, count }));
}

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 2;
  if (typeof value === "string") return 3;
  return 4;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1 || ra === 2) return Number(a) - Number(b);
  const ta = ra === 3 ? (a as string) : JSON.stringify(a);
  const tb = ra === 3 ? (b as string) : JSON.stringify(b);
  return Buffer.compare(Buffer.from(ta ?? ""), Buffer.from(tb ?? ""));
}
