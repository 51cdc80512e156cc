import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { RunEvent } from "../openlineage/types.js";
import { DEFAULT_FLUSH_TIMEOUT_MS, eventLine, type LineageTransport, within } from "./transport.js";

export interface FileTransportOptions {
  /** The folder of the event files, e.g. `<weir home>/lineage`; made on first write. */
  dir: string;
  logger?: Logger;
}

/**
 * Appends each event as one line of NDJSON to `events-YYYY-MM-DD.ndjson` (the UTC day of
 * the event's `eventTime`) in `dir`: a local, greppable record of all lineage, readable by
 * DuckDB's `read_json` and replayable to any OpenLineage endpoint.
 *
 * Lines are never torn or interleaved: one writer drains the queue, and each batch of
 * lines is one `write(2)` on a file opened `O_APPEND`, which the kernel appends whole — so
 * another process appending to the same file (a second `weir run`) cannot cut into a line
 * either. (`fs.appendFile` would not do: it writes long data in chunks, and two appenders'
 * chunks interleave.)
 *
 * @example
 * const transport = new FileTransport({ dir: join(weirPaths().home, "lineage") });
 * transport.emit(event);
 * await transport.close();
 */
export class FileTransport implements LineageTransport {
  readonly kind = "file";
  readonly dir: string;
  readonly #logger: Logger;
  #pending: { file: string; line: string }[] = [];
  #writing: Promise<void> | undefined;
  #dirReady: Promise<void> | undefined;
  #closed = false;
  #written = 0;
  #failed = 0;
  #warned = false;

  constructor(options: FileTransportOptions) {
    this.dir = options.dir;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Events written, and events lost (a write failed, or emitted after close). */
  get stats(): { written: number; failed: number } {
    return { written: this.#written, failed: this.#failed };
  }

  /** The file an event goes to. */
  fileFor(event: RunEvent): string {
    const day = /^\d{4}-\d{2}-\d{2}/.exec(new Date(event.eventTime).toISOString())?.[0] ?? "unknown";
    return join(this.dir, `events-${day}.ndjson`);
  }

  emit(event: RunEvent): void {
    try {
      if (this.#closed) throw new Error("the file transport is closed");
      this.#pending.push({ file: this.fileFor(event), line: eventLine(event) });
      this.#writing ??= this.#drain();
    } catch (error) {
      this.#fail(1, error);
    }
  }

  async flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    return within(this.#idle(), timeoutMs);
  }

  async close(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    this.#closed = true;
    return this.flush(timeoutMs);
  }

  /** Resolves when the queue is empty and no write is in flight. */
  async #idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** The one writer: takes everything queued, one append per file, until the queue is empty. */
  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        const byFile = new Map<string, string[]>();
        for (const { file, line } of batch) {
          const lines = byFile.get(file) ?? [];
          lines.push(line);
          byFile.set(file, lines);
        }
        for (const [file, lines] of byFile) {
          try {
            this.#dirReady ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
            await this.#dirReady;
            await appendWhole(file, Buffer.from(lines.join(""), "utf8"));
            this.#written += lines.length;
          } catch (error) {
            this.#dirReady = undefined; // the folder may have been removed: make it again next time
            this.#fail(lines.length, error);
          }
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  #fail(count: number, error: unknown): void {
    this.#failed += count;
    if (this.#warned) return;
    this.#warned = true;
    warn(
      this.#logger,
      "lineage: could not write OpenLineage events to a file; later failures are counted, not logged",
      {
        dir: this.dir,
        error: error instanceof Error ? error.message : String(error),
      },
    );
  }
}

/**
 * Appends `data` with a single `write(2)` on an `O_APPEND` descriptor: the kernel places it
 * whole at the end of the file, whatever other appenders do. A short write (a full disk)
 * is finished with further writes rather than losing the rest.
 */
async function appendWhole(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, "a");
  try {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      if (bytesWritten === 0) throw new Error(`no bytes written to ${file}`);
      offset += bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
