import type { RecordBatch } from "../../core/batch.js";
import type { Field } from "../../core/types.js";
import { aggregateOutputType, type NamedAggregate } from "../aggregates/index.js";
import type { WindowRow } from "./window-row.js";

/** The output columns of window rows: window_start, window_end, the group keys, the aggregates. */
export function windowFields(groupBy: readonly Field[], aggregates: readonly NamedAggregate[]): Field[] {
  return [
    { name: "window_start", type: "timestamptz", nullable: false },
    { name: "window_end", type: "timestamptz", nullable: false },
    ...groupBy,
    ...aggregates.map((a) => ({ name: a.name, type: aggregateOutputType(a.spec) })),
  ];
}

/**
 * Window rows as a RecordBatch: window bounds as ISO-8601 UTC text (timestamptz), then the
 * group key columns, then one column per aggregate. Rows of one window share their start,
 * so its text is made once per run of equal starts.
 */
export function windowRowsToBatch(
  rows: readonly WindowRow[],
  groupBy: readonly Field[],
  aggregates: readonly NamedAggregate[],
): RecordBatch {
  const fields = windowFields(groupBy, aggregates);
  const n = rows.length;
  const columns: unknown[][] = fields.map(() => new Array<unknown>(n));
  const starts = columns[0]!;
  const ends = columns[1]!;
  const keys = groupBy.length;
  let lastStart = Number.NaN;
  let startText = "";
  let lastEnd = Number.NaN;
  let endText = "";
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    if (row.start !== lastStart) {
      lastStart = row.start;
      startText = new Date(row.start).toISOString();
    }
    if (row.end !== lastEnd) {
      lastEnd = row.end;
      endText = new Date(row.end).toISOString();
    }
    starts[r] = startText;
    ends[r] = endText;
    for (let k = 0; k < keys; k++) columns[2 + k]![r] = row.keyValues[k] ?? null;
    for (let a = 0; a < aggregates.length; a++) columns[2 + keys + a]![r] = row.results[a] ?? null;
  }
  return { schema: { fields }, columns, numRows: n };
}
