import { formatElapsed } from "../core/duration.js";

/**
 * Renders rows as an aligned text table (numbers right-aligned). For the CLI's human
 * output; `--json` prints the data itself.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cellText));
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((r) => isNumber(r[c]) || r[c] === null || r[c] === undefined),
  );
  // A loop, not Math.max(...column): spreading 200,000 cells overflows the call stack.
  const widths = headers.map((h, c) => cells.reduce((w, r) => Math.max(w, r[c]!.length), h.length));
  const line = (values: readonly string[]) =>
    values
      .map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

function isNumber(v: unknown): boolean {
  return typeof v === "number" || typeof v === "bigint";
}

function cellText(v: unknown): string {
  // undefined: a value nobody recorded ("-"); null: SQL's NULL.
  if (v === undefined) return "-";
  if (v === null) return "NULL";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
}

/** "850 ms", "2.4 s", "3 min 5 s", "5 min" (see `formatElapsed`). */
export const formatDuration = formatElapsed;
