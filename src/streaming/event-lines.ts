import type { Field, Schema } from "../core/types.js";
import type { EpochEvents } from "./contracts.js";
import type { StreamEvent } from "./event-schema.js";

/**
 * The kept events of the epoch being built, as NDJSON lines: each event's text as it
 * arrived, with the derived columns spliced in before its closing brace. No value is
 * converted in JavaScript: the lake sink hands the lines to DuckDB's JSON reader (parallel,
 * typed by the declared schema), which is where the columns are built. Only an event whose
 * text already holds a derived column's name is re-serialised whole (a key twice would be
 * ambiguous: the caller says so with `clash`).
 */
export class EventLines {
  readonly schema: Schema;
  /** `,"name":` per derived column, built once. */
  private readonly derivedKeys: readonly string[];
  private lines: string[] = [];

  /** `declared`: the schema's fields in order; `derived`: the derived columns after them. */
  constructor(declared: readonly Field[], derived: readonly Field[]) {
    this.schema = { fields: [...declared, ...derived] };
    this.derivedKeys = derived.map((f) => `,${JSON.stringify(f.name)}:`);
  }

  get size(): number {
    return this.lines.length;
  }

  /**
   * Appends one event: `text` is its JSON as received, `event` the parsed object (with
   * the derived values already set on it), `derived` those values in column order.
   */
  push(text: string, event: StreamEvent, derived: readonly unknown[], clash: boolean): void {
    const n = derived.length;
    if (n === 0) {
      this.lines.push(text);
      return;
    }
    const close = text.lastIndexOf("}");
    if (clash || close < 0) {
      this.lines.push(JSON.stringify(event));
      return;
    }
    let head = text.slice(0, close);
    let first = true;
    // `{}` and `{ }` have no member to follow: the first derived key takes no comma.
    for (let i = head.length - 1; i >= 0; i--) {
      const ch = head.charCodeAt(i);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13) continue;
      first = ch === 123; // "{"
      break;
    }
    for (let d = 0; d < n; d++) {
      const key = first && d === 0 ? this.derivedKeys[d]!.slice(1) : this.derivedKeys[d]!;
      head += key + JSON.stringify(derived[d] ?? null);
    }
    this.lines.push(`${head}}`);
  }

  /** The lines pushed since the last call; the builder starts empty again. */
  take(): EpochEvents {
    const events: EpochEvents = { schema: this.schema, numRows: this.lines.length, lines: this.lines };
    this.lines = [];
    return events;
  }
}
