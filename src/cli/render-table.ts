/**
 * Renders rows as an aligned text table (numbers right-aligned). For the CLI's human
 * output; `--json` prints the data itself.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cellText));
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((r) => isNumber(r[c]) || r[c] === null),
  );
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c]!.length)));
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
  if (v === null || v === undefined) return "NULL";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  return String(v);
}

/** "850 ms", "2.4 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
