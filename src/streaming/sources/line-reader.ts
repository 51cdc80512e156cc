import { isUtf8 } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { messageOf, StreamError } from "../../core/errors.js";
import type { SourceMessage } from "../contracts.js";

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Reads a file's lines in big chunks, numbering them from 1.
 *
 * One buffer is reused for every read: a partial line at the end of a chunk is moved to the
 * front and the next chunk read in after it, and lines leave as decoded strings, so nothing
 * keeps a view into the buffer. Lines are found with `Buffer.indexOf` (native), skipping
 * decodes nothing. A line longer than the buffer grows it, so any line comes back whole; a
 * trailing `\r` (CRLF files) is dropped, and a last line without a newline still counts.
 */
export class LineReader {
  private buf: Buffer;
  /** `buf` up to the bytes read: `indexOf` must not see older bytes past them. */
  private view: Buffer;
  private pos = 0;
  private filePos = 0;
  private eof = false;
  /** Lines consumed so far (blank ones too): the number of the last line read or skipped. */
  lineNumber = 0;

  private constructor(
    private readonly file: FileHandle,
    private readonly path: string,
    chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.view = this.buf.subarray(0, 0);
  }

  static async open(path: string, chunkBytes = 1024 * 1024): Promise<LineReader> {
    try {
      return new LineReader(await open(path, "r"), path, Math.max(4096, chunkBytes));
    } catch (error) {
      throw readFailure(path, error);
    }
  }

  /** True once every line has been consumed. */
  get done(): boolean {
    return this.eof && this.pos >= this.view.length;
  }

  /**
   * Appends up to `max` lines to `out` as messages (position = line number), skipping
   * blank lines (they still take a line number). Stops early at the end of the file.
   */
  async read(max: number, out: SourceMessage[]): Promise<void> {
    let taken = 0;
    while (taken < max) {
      const nl = this.view.indexOf(NEWLINE, this.pos);
      let end: number;
      if (nl >= 0) end = nl;
      else if (!this.eof) {
        await this.fill();
        continue;
      } else if (this.pos < this.view.length) end = this.view.length;
      else return;
      const start = this.pos;
      this.pos = end + 1;
      this.lineNumber++;
      if (end > start && this.view[end - 1] === CARRIAGE_RETURN) end--;
      if (isBlank(this.view, start, end)) continue;
      out.push({ data: this.decode(start, end), position: this.lineNumber });
      taken++;
    }
  }

  /**
   * The line as text; a line that is not valid UTF-8 stays bytes (a copy), so a dead letter
   * keeps what the file held rather than replacement characters. Only a decoded line holding
   * U+FFFD is checked: a string of ASCII answers that search at once.
   */
  private decode(start: number, end: number): string | Uint8Array {
    const text = this.view.toString("utf8", start, end);
    if (!text.includes("\uFFFD")) return text;
    const bytes = this.view.subarray(start, end);
    return isUtf8(bytes) ? text : new Uint8Array(bytes);
  }

  /** Skips up to `count` lines without decoding (or keeping) them; returns how many were skipped. */
  async skip(count: number): Promise<number> {
    let skipped = 0;
    // Bytes of an unfinished line were dropped: it counts when its newline (or the end) comes.
    let partial = false;
    while (skipped < count) {
      const nl = this.view.indexOf(NEWLINE, this.pos);
      if (nl >= 0) this.pos = nl + 1;
      else if (!this.eof) {
        partial ||= this.pos < this.view.length;
        this.pos = this.view.length;
        await this.fill();
        continue;
      } else if (this.pos < this.view.length || partial) this.pos = this.view.length;
      else break;
      partial = false;
      skipped++;
      this.lineNumber++;
    }
    return skipped;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** Moves the unread bytes to the front (growing the buffer when they fill it) and reads after them. */
  private async fill(): Promise<void> {
    const rest = this.view.length - this.pos;
    if (rest >= this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.view.copy(bigger, 0, this.pos);
      this.buf = bigger;
    } else if (rest > 0) {
      this.buf.copyWithin(0, this.pos, this.view.length);
    }
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.file.read(this.buf, rest, this.buf.length - rest, this.filePos));
    } catch (error) {
      throw readFailure(this.path, error);
    }
    this.filePos += bytesRead;
    if (bytesRead === 0) this.eof = true;
    this.pos = 0;
    this.view = this.buf.subarray(0, rest + bytesRead);
  }
}

/** True when `buf[start, end)` holds only spaces and tabs (the usual line starts with `{` and stops at once). */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte !== SPACE && byte !== TAB) return false;
  }
  return true;
}

/** A missing file, a directory or a permission problem stays so; other I/O errors may pass. */
function readFailure(path: string, error: unknown): StreamError {
  const code = (error as NodeJS.ErrnoException)?.code;
  return new StreamError("STREAM_SOURCE_FAILED", `cannot read ${path}: ${messageOf(error)}`, {
    cause: error,
    retryable: code !== "ENOENT" && code !== "EISDIR" && code !== "EACCES",
    details: { path },
  });
}
