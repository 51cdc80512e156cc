/**
 * Text forms of values that both engines agree on, so a value read from DuckDB and the
 * same value read from PostgreSQL compare equal (see the representation in core/batch.ts).
 */

/**
 * Drops insignificant zeros of a decimal's text: `"123.4500"` → `"123.45"`, `"100.00"` →
 * `"100"`. DuckDB pads to the column's scale and PostgreSQL keeps the input's scale; the
 * logical `decimal` carries no scale, so both are reduced to the shortest exact form.
 */
export function normalizeDecimal(text: string): string {
  if (!text.includes(".") || text.includes("e") || text.includes("E")) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  const out = text.slice(0, end);
  return out === "-0" ? "0" : out;
}

/** `YYYY-MM-DD` of a JS Date, in UTC. */
export function toDateString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM:SS.fff` of a JS Date, in UTC (a timestamp without zone). */
export function toTimestampString(d: Date): string {
  return d.toISOString().slice(0, 23).replace("T", " ");
}

/** ISO-8601 with `Z` of a JS Date. */
export function toTimestamptzString(d: Date): string {
  return d.toISOString();
}

/**
 * PostgreSQL's timestamptz text in a UTC session (`2024-01-02 08:11:12.5+00`) → ISO-8601
 * `2024-01-02T08:11:12.5Z`, the same form the DuckDB engine produces.
 */
export function pgTimestamptzToIso(text: string): string {
  if (text.endsWith("+00")) return `${text.slice(0, -3).replace(" ", "T")}Z`;
  // Infinity and BC dates have no ISO form; they pass through as PostgreSQL wrote them.
  return text;
}
