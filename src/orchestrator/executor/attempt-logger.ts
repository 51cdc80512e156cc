import type { Clock } from "../../core/clock.js";
import type { LogEvent, Logger, LogLevel } from "../../core/log.js";
import type { TaskLogLine } from "../../metadata/task-store.js";
import type { TaskLogger } from "../task-context.js";

/**
 * The logger of one attempt: lines are buffered and stored with the attempt — flushed with
 * each heartbeat (so a crash keeps all but the last few seconds) and with the attempt's
 * end — and passed on to the run's logger and to `onLine` (the `task.log` event).
 */
export class AttemptLogger implements TaskLogger {
  private buffer: TaskLogLine[] = [];
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly forward: Logger,
    private readonly onLine: (line: TaskLogLine) => void,
  ) {}

  log(event: LogEvent): void {
    const line: TaskLogLine = {
      seq: ++this.seq,
      at: this.clock.now().toISOString(),
      level: event.level,
      message: String(event.message),
      ...(event.fields ? { fields: event.fields } : {}),
    };
    this.buffer.push(line);
    this.forward.log(event);
    this.onLine(line);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write("debug", message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write("info", message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write("warn", message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write("error", message, fields);
  }

  /** The sequence number of the latest line (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Numbers the next lines after `seq`: another process (a worker) stored the attempt's lines up to it. */
  continueAfter(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  /** The lines not stored yet; the caller stores them. */
  take(): TaskLogLine[] {
    const lines = this.buffer;
    this.buffer = [];
    return lines;
  }

  private write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.log({ level, message, ...(fields ? { fields } : {}) });
  }
}
