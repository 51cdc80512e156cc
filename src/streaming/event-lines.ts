import { randomUUID } from "node:crypto";
import { type FileHandle, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Field, Schema } from "../core/types.js";
import type { EpochEvents } from "./contracts.js";
import type { StreamEvent } from "./event-schema.js";

/** Lines gathered before they are written out: enough for a cheap write, few enough to die young. */
const LINES_PER_WRITE = 4096;

/**
 * The kept events of the epoch being built, as an NDJSON scratch file: each event's text as
 * it arrived, with the derived columns spliced in before its closing brace. No value is
 * converted in JavaScript: the lake sink hands the file to DuckDB's JSON reader (parallel,
 * typed by the declared schema), which is where the columns are built. Lines are written
 * out every few thousand events, so they are garbage before the collector would promote
 * them (holding an epoch's events until the cut cost more in GC than anything else).
 * An event whose text already holds a derived column's name is re-serialised whole (a key
 * twice would be ambiguous: the caller says so with `clash`).
 */
export class EventLines {
  readonly schema: Schema;
  /** `,"name":` per derived column, built once. */
  private readonly derivedKeys: readonly string[];
  private readonly dir: string;
  private lines: string[] = [];
  private lastDerived: unknown[] = [];
  private lastFirst = false;
  private lastSuffix = "";
  private rows = 0;
  private file: string | undefined;
  private handle: Promise<FileHandle> | undefined;
  /** The chain of writes of the current file; a failure surfaces at `take`. */
  private writes: Promise<unknown> = Promise.resolve();

  /** `declared`: the schema's fields in order; `derived`: the derived columns after them. */
  constructor(declared: readonly Field[], derived: readonly Field[], dir = tmpdir()) {
    this.schema = { fields: [...declared, ...derived] };
    this.derivedKeys = derived.map((f) => `,${JSON.stringify(f.name)}:`);
    this.dir = dir;
  }

  get size(): number {
    return this.rows;
  }

  /**
   * Appends one event: `text` is its JSON as received, `event` the parsed object (with
   * the derived values already set on it), `derived` those values in column order.
   */
  push(text: string, event: StreamEvent, derived: readonly unknown[], clash: boolean): void {
    this.lines.push(this.line(text, event, derived, clash));
    this.rows++;
    if (this.lines.length >= LINES_PER_WRITE) this.flush();
  }

  private line(text: string, event: StreamEvent, derived: readonly unknown[], clash: boolean): string {
    const n = derived.length;
    if (n === 0) return text;
    const close = text.lastIndexOf("}");
    if (clash || close < 0) return JSON.stringify(event);
    const head = text.slice(0, close);
    let first = true;
    // `{}` and `{ }` have no member to follow: the first derived key takes no comma.
    for (let i = head.length - 1; i >= 0; i--) {
      const ch = head.charCodeAt(i);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13) continue;
      first = ch === 123; // "{"
      break;
    }
    return head + this.suffix(derived, first);
  }

  /**
   * `,"date":"…","hour":…}` for the derived values: the same as the last event's more often
   * than not (time-derived columns change once an hour), so it is kept and reused.
   */
  private suffix(derived: readonly unknown[], first: boolean): string {
    const last = this.lastDerived;
    let same = first === this.lastFirst && last.length === derived.length;
    for (let d = 0; same && d < derived.length; d++) same = last[d] === derived[d];
    if (same) return this.lastSuffix;
    let text = "";
    for (let d = 0; d < derived.length; d++) {
      const key = first && d === 0 ? this.derivedKeys[d]!.slice(1) : this.derivedKeys[d]!;
      text += key + JSON.stringify(derived[d] ?? null);
    }
    this.lastDerived = derived.slice();
    this.lastFirst = first;
    this.lastSuffix = `${text}}`;
    return this.lastSuffix;
  }

  /** Queues the gathered lines for writing (in order, one write at a time). */
  private flush(): void {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    if (!this.handle) {
      this.file = join(this.dir, `weir-epoch-${process.pid}-${randomUUID()}.ndjson`);
      this.handle = open(this.file, "w");
    }
    const handle = this.handle;
    this.writes = this.writes.then(async () => (await handle).write(text));
  }

  /** The events pushed since the last call, written out; the builder starts a new file. */
  async take(): Promise<EpochEvents> {
    this.flush();
    const events: EpochEvents = {
      schema: this.schema,
      numRows: this.rows,
      ...(this.file ? { file: this.file } : {}),
    };
    const handle = this.handle;
    const writes = this.writes;
    this.handle = undefined;
    this.file = undefined;
    this.rows = 0;
    this.writes = Promise.resolve();
    try {
      await writes;
    } finally {
      if (handle) await (await handle).close();
    }
    return events;
  }
}

/** Removes an epoch's scratch file once its sinks are done with it. */
export async function removeEventsFile(events: EpochEvents): Promise<void> {
  if (events.file) await rm(events.file, { force: true });
}
