import type { RunEvent } from "../openlineage/types.js";
import { eventLine, type LineageTransport } from "./transport.js";

/** The slice of a writable stream the console transport needs (`process.stderr` by default). */
export interface LineWriter {
  write(chunk: string): unknown;
}

/**
 * Writes each event as one JSON line to stderr — never stdout, which belongs to the
 * command's own output (`weir run --json | jq`). For a quick look at what weir emits, or to
 * pipe lineage to a collector that reads a stream.
 */
export class ConsoleTransport implements LineageTransport {
  readonly kind = "console";
  readonly #out: LineWriter;
  #failed = 0;

  constructor(options: { out?: LineWriter } = {}) {
    this.#out = options.out ?? process.stderr;
  }

  /** Events that could not be written (a closed stream). */
  get failed(): number {
    return this.#failed;
  }

  emit(event: RunEvent): void {
    try {
      this.#out.write(eventLine(event));
    } catch {
      this.#failed++;
    }
  }

  async flush(): Promise<boolean> {
    return true;
  }

  async close(): Promise<boolean> {
    return true;
  }
}
