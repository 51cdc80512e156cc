import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import type { PartitionReader, SourceMessage, StartPosition, StreamSource } from "../contracts.js";
import { LineReader } from "./line-reader.js";
import { RatePacer } from "./rate-pacer.js";

export interface FileReplaySourceOptions {
  /** An NDJSON file: one event per line. */
  path: string;
  /** Events per second at most (a replay at the pace of the original stream); unpaced when absent. */
  rate?: number;
  /** The clock pacing sleeps on (tests pass a `FakeClock`). */
  clock?: Clock;
  /** Bytes read at a time (default 1 MiB). */
  chunkBytes?: number;
}

/** The one partition of a file replay. */
const PARTITION = "file";

/**
 * An NDJSON file replayed as a stream with one partition, `"file"`: a position is a line
 * number (1-based), so a checkpoint names a line and a restart skips to the one after it.
 * Lines come back as text, whole whatever their size (the runtime dead-letters what does
 * not parse or is too large); blank lines take a number but are not events. At the end of
 * the file the partition ends (`next` resolves null).
 */
export class FileReplaySource implements StreamSource {
  readonly description: string;
  private lineCount: Promise<number> | undefined;

  constructor(private readonly options: FileReplaySourceOptions) {
    if (options.rate !== undefined && !(options.rate > 0)) {
      throw new ConfigError(
        `a replay rate must be a positive number of events per second, not ${options.rate}`,
      );
    }
    this.description = `file:${options.path}`;
  }

  async partitions(): Promise<string[]> {
    return [PARTITION];
  }

  async open(partition: string, after: number | undefined, start: StartPosition): Promise<PartitionReader> {
    checkPartition(partition);
    const skip = after ?? (await this.positionBefore(partition, start));
    const lines = await LineReader.open(this.options.path, this.options.chunkBytes);
    try {
      await lines.skip(skip);
    } catch (error) {
      await lines.close();
      throw error;
    }
    const { rate, clock } = this.options;
    const pacer = rate === undefined ? undefined : new RatePacer(rate, clock ?? systemClock);
    return new FileReplayReader(lines, pacer, () => this.countLines());
  }

  /** `earliest`: 0; `latest`: the number of lines (nothing is replayed); a time: refused, lines carry no time the source knows. */
  async positionBefore(partition: string, start: StartPosition): Promise<number> {
    checkPartition(partition);
    if (start === "earliest") return 0;
    if (start === "latest") return this.countLines();
    throw new ConfigError(
      `a file replay cannot start at a time (${start.toISOString()}): its positions are line numbers; start at "earliest" or "latest"`,
    );
  }

  async close(): Promise<void> {}

  /** Lines in the file, counted once (a replayed file does not change). */
  private countLines(): Promise<number> {
    this.lineCount ??= (async () => {
      const lines = await LineReader.open(this.options.path, this.options.chunkBytes);
      try {
        return await lines.skip(Number.POSITIVE_INFINITY);
      } finally {
        await lines.close();
      }
    })();
    return this.lineCount;
  }
}

class FileReplayReader implements PartitionReader {
  readonly partition = PARTITION;

  constructor(
    private readonly lines: LineReader,
    private readonly pacer: RatePacer | undefined,
    private readonly totalLines: () => Promise<number>,
  ) {}

  async next(max: number, waitMs: number): Promise<SourceMessage[] | null> {
    if (this.lines.done) return null;
    const allowed = this.pacer ? await this.pacer.take(max, waitMs) : max;
    if (allowed === 0) return [];
    const out: SourceMessage[] = [];
    await this.lines.read(allowed, out);
    this.pacer?.giveBack(allowed - out.length);
    if (out.length === 0 && this.lines.done) return null;
    return out;
  }

  /** Nothing to acknowledge: the checkpoint's line number is the whole state. */
  async ack(): Promise<void> {}

  async lag(position: number): Promise<number | undefined> {
    return Math.max(0, (await this.totalLines()) - position);
  }

  async close(): Promise<void> {
    await this.lines.close();
  }
}

function checkPartition(partition: string): void {
  if (partition !== PARTITION) {
    throw new ConfigError(`a file replay has one partition, "${PARTITION}", not "${partition}"`);
  }
}
