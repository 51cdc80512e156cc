import type { Clock } from "../core/clock.js";
import { messageOf } from "../core/errors.js";
import type { CompiledJob } from "./compile-job.js";
import type {
  DeadLetter,
  EpochBoundary,
  EpochOutput,
  EpochSink,
  LateEvent,
  PartitionCheckpoint,
  PartitionReader,
  PartitionStatus,
  StreamCheckpointStore,
  StreamCounts,
} from "./contracts.js";
import { emptyCounts } from "./contracts.js";
import { EventLines, removeEventsFile } from "./event-lines.js";
import type { StreamEvent } from "./event-schema.js";
import type { StreamEventListener } from "./stream-events.js";
import { WindowState, windowRowsToBatch } from "./windows/index.js";

/** The watermark at the end of a finite input: every window closes. */
export const END_OF_INPUT_WATERMARK = 8.64e15;

export interface PartitionTaskInit {
  compiled: CompiledJob;
  partition: string;
  reader: PartitionReader;
  store: StreamCheckpointStore;
  owner: string;
  /** Every sink of the job, committed in order. */
  sinks: readonly EpochSink[];
  /** The partition's row as the lease gave it: checkpoint and pending epoch. */
  status: PartitionStatus;
  clock: Clock;
  onEvent?: StreamEventListener;
  /** Serialises epoch commits of the tasks of one process (sinks are shared). */
  commitQueue: CommitQueue;
  /** Messages per read. Default 4096. */
  batchSize?: number;
  /** Stop when no message arrived for this long (for runs that should end). */
  stopWhenIdleMs?: number;
}

/** One commit at a time: each call waits for the previous one. */
export class CommitQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Attempts per sink commit when the failure is transient (a lock held, a conflict, a lost connection). */
const COMMIT_ATTEMPTS = 5;

/**
 * Commits an epoch to a sink, again after a transient failure: a sink's commit is
 * idempotent per epoch, so repeating it can neither lose nor double anything.
 */
async function commitWithRetries(sink: EpochSink, output: EpochOutput, clock: Clock): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.commit(output);
    } catch (error) {
      if (attempt >= COMMIT_ATTEMPTS || (error as { retryable?: boolean }).retryable !== true) throw error;
      await clock.sleep(100 * 2 ** attempt);
    }
  }
}

interface SavedState {
  windows?: string;
}

/**
 * Runs one partition of a stream job: reads messages, parses and checks them (dead
 * letters), tracks the watermark (late events), filters, derives, adds to window state
 * and the epoch's event columns, and cuts epochs. An epoch is cut every checkpoint
 * interval or message count, when the source turns idle past its timeout (the watermark
 * moves then, and only at a cut, so a replay sees the same watermark), at the end of a
 * finite input, and exactly at a pending boundary left by a process that crashed before
 * checkpointing it. Epoch N's commit (pending → sinks → checkpoint → ack) runs while
 * epoch N+1 is read; the cut of N+1 waits for it.
 */
export class PartitionTask {
  private readonly c: CompiledJob;
  private readonly init: PartitionTaskInit;
  private readonly job: string;
  private readonly partition: string;
  private readonly bound: number;
  private readonly lateness: number;
  private readonly maxBytes: number;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });

  private readonly counts: StreamCounts;
  private readonly events: EventLines;
  private readonly windows: WindowState | undefined;
  private deadLetters: DeadLetter[] = [];
  private late: LateEvent[] = [];
  private epoch: number;
  private position: number;
  private watermark: number;
  private maxEventTime: number;
  private pending: EpochBoundary | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private failed: unknown;
  private changedSinceCut = false;
  private lastCutAt: number;
  private lastMessageAt: number;
  private messagesSinceCut = 0;
  /** Scratch arrays reused per event (the window state copies what it keeps). */
  private readonly derivedValues: unknown[];
  private readonly aggregateValues: unknown[];
  private readonly keyValues: unknown[];

  constructor(init: PartitionTaskInit) {
    this.init = init;
    this.c = init.compiled;
    this.job = init.compiled.job.id;
    this.partition = init.partition;
    const timing = init.compiled.job.timing;
    this.bound = timing.maxOutOfOrdernessMs;
    this.lateness = timing.allowedLatenessMs;
    this.maxBytes = init.compiled.job.maxMessageBytes ?? 1024 * 1024;
    this.events = new EventLines(this.c.declared, this.c.derivedFields);
    this.derivedValues = new Array(this.c.derive.length);
    this.aggregateValues = new Array(this.c.windows?.aggregates.length ?? 0);
    this.keyValues = new Array(this.c.windows?.groupBy.length ?? 0);
    const checkpoint = init.status.checkpoint;
    this.epoch = checkpoint?.epoch ?? 0;
    this.position = checkpoint?.position ?? init.status.startAfter ?? 0;
    this.watermark = checkpoint?.watermark ?? Number.NEGATIVE_INFINITY;
    this.maxEventTime = checkpoint?.maxEventTime ?? Number.NEGATIVE_INFINITY;
    this.counts = checkpoint ? { ...checkpoint.counts } : emptyCounts();
    this.pending =
      init.status.pending && init.status.pending.epoch === this.epoch + 1 ? init.status.pending : undefined;
    const saved: SavedState = checkpoint?.state ? (JSON.parse(checkpoint.state) as SavedState) : {};
    if (this.c.windows) {
      const w = this.c.job.windows!;
      this.windows = saved.windows
        ? WindowState.load(w.window, this.c.windows.aggregates, saved.windows)
        : new WindowState(w.window, this.c.windows.aggregates);
    }
    const now = init.clock.now().getTime();
    this.lastCutAt = now;
    this.lastMessageAt = now;
  }

  /** The position the task reads after (its checkpoint's). */
  get startPosition(): number {
    return this.position;
  }

  /**
   * Reads and processes until the input ends (a file), `signal` stops it, or it has been
   * idle for `stopWhenIdleMs`; the last epoch is committed before it resolves. Throws what
   * a sink, the store or the source threw (STREAM_LEASE_LOST when another process took
   * the partition).
   */
  async run(signal?: AbortSignal): Promise<"end" | "stopped"> {
    const { reader, clock } = this.init;
    const timing = this.c.job.timing;
    const batchSize = this.init.batchSize ?? 4096;
    this.init.onEvent?.({
      type: "stream.partition.started",
      job: this.job,
      partition: this.partition,
      fromPosition: this.position,
      epoch: this.epoch,
    });
    // A pending boundary at or before where we start: the crash came after an idle cut.
    if (this.pending && this.pending.endPosition <= this.position) await this.cut();
    for (;;) {
      this.throwIfFailed();
      if (signal?.aborted) {
        await this.inflight;
        this.throwIfFailed();
        return "stopped";
      }
      const waitMs = Math.max(50, Math.min(timing.checkpointEveryMs, 1000));
      const messages = await reader.next(batchSize, waitMs);
      const now = clock.now().getTime();
      if (messages === null) {
        await this.finishInput();
        return "end";
      }
      if (messages.length > 0) {
        this.lastMessageAt = now;
        const futureLimit = now + timing.maxFutureMs;
        for (let i = 0; i < messages.length; i++) {
          const message = messages[i]!;
          if (message.position <= this.position) continue; // redelivered
          if (this.pending && message.position > this.pending.endPosition) await this.cut();
          this.process(message.data, message.position, futureLimit);
          this.position = message.position;
          this.messagesSinceCut++;
          if (this.pending && message.position === this.pending.endPosition) await this.cut();
          else if (!this.pending && this.messagesSinceCut >= timing.checkpointEveryMessages) await this.cut();
        }
      } else if (this.pending === undefined) {
        if (this.advanceWhenIdle(now)) await this.cut();
        else if (
          this.init.stopWhenIdleMs !== undefined &&
          now - this.lastMessageAt >= this.init.stopWhenIdleMs
        ) {
          if (this.changedSinceCut) await this.cut();
          await this.inflight;
          this.throwIfFailed();
          return "stopped";
        }
      }
      if (!this.pending && this.changedSinceCut && now - this.lastCutAt >= timing.checkpointEveryMs)
        await this.cut();
    }
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }

  /** With no message for the idle timeout, event time follows processing time. */
  private advanceWhenIdle(now: number): boolean {
    const idle = this.c.job.timing.idleTimeoutMs;
    if (idle === undefined || this.maxEventTime === Number.NEGATIVE_INFINITY) return false;
    const quiet = now - this.lastMessageAt;
    if (quiet < idle) return false;
    const advanced = this.maxEventTime - this.bound + quiet;
    if (advanced <= this.watermark) return false;
    // Only worth a cut when it closes something.
    const closesSomething = (this.windows?.size ?? 0) > 0;
    this.watermark = advanced;
    this.changedSinceCut = this.changedSinceCut || closesSomething;
    return closesSomething;
  }

  private async finishInput(): Promise<void> {
    if (this.pending) await this.cut();
    const open = (this.windows?.size ?? 0) > 0;
    // A finite input has no more events: every window may close.
    if (open) this.watermark = END_OF_INPUT_WATERMARK;
    if (this.changedSinceCut || open) await this.cut();
    await this.inflight;
    this.throwIfFailed();
  }

  private deadLetter(
    raw: string | Uint8Array,
    position: number,
    kind: DeadLetter["kind"],
    error: string,
  ): void {
    this.counts.deadLettered++;
    this.changedSinceCut = true;
    this.deadLetters.push({
      partition: this.partition,
      position,
      raw: typeof raw === "string" ? Buffer.from(raw, "utf8") : raw,
      kind,
      error,
    });
  }

  /** One message, start to end. The hot path: no allocation beyond what JSON.parse makes. */
  private process(data: string | Uint8Array, position: number, futureLimit: number): void {
    this.counts.in++;
    if (
      data.length > this.maxBytes &&
      (typeof data !== "string" || Buffer.byteLength(data) > this.maxBytes)
    ) {
      this.deadLetter(
        data,
        position,
        "too_large",
        `message of ${typeof data === "string" ? Buffer.byteLength(data) : data.length} bytes is larger than ${this.maxBytes}`,
      );
      return;
    }
    const text = typeof data === "string" ? data : this.decoder.decode(data);
    let event: StreamEvent;
    try {
      event = JSON.parse(text) as StreamEvent;
    } catch (error) {
      this.deadLetter(data, position, "parse", `not JSON: ${messageOf(error)}`);
      return;
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      this.deadLetter(
        data,
        position,
        "parse",
        `expected a JSON object, got ${Array.isArray(event) ? "an array" : event === null ? "null" : typeof event}`,
      );
      return;
    }
    const tf = this.c.timeField;
    const tv = event[tf];
    const t = typeof tv === "string" ? Date.parse(tv) : typeof tv === "number" ? tv : Number.NaN;
    if (!Number.isFinite(t)) {
      const got = tv === undefined ? "missing" : `got ${JSON.stringify(tv)?.slice(0, 60)}`;
      this.deadLetter(data, position, "schema", `field "${tf}": expected timestamp, ${got}`);
      return;
    }
    if (t > futureLimit) {
      this.deadLetter(
        data,
        position,
        "schema",
        `field "${tf}": ${new Date(t).toISOString()} is further ahead of the clock than maxFuture allows`,
      );
      return;
    }
    const problem = this.c.check(event);
    if (problem !== undefined) {
      this.deadLetter(data, position, "schema", problem);
      return;
    }
    this.counts.parsed++;
    this.changedSinceCut = true;
    if (t > this.maxEventTime) {
      this.maxEventTime = t;
      const wm = t - this.bound;
      if (wm > this.watermark) this.watermark = wm;
    }
    if (t < this.watermark - this.lateness) {
      this.counts.late++;
      this.late.push({
        partition: this.partition,
        position,
        eventTime: t,
        watermark: this.watermark,
        reason: `event time ${new Date(t).toISOString()} is behind the watermark ${new Date(this.watermark).toISOString()} by more than the allowed lateness`,
        event: text,
      });
      return;
    }
    if (this.c.filter !== undefined && !this.c.filter(event)) {
      this.counts.filteredOut++;
      return;
    }
    const derive = this.c.derive;
    const derived = this.derivedValues;
    let clash = false;
    for (let d = 0; d < derive.length; d++) {
      const value = derive[d]!(event, t);
      derived[d] = value;
      const name = this.c.derivedFields[d]!.name;
      if (event[name] !== undefined) clash = true;
      event[name] = value;
    }
    this.counts.kept++;
    if (this.c.job.events) this.events.push(text, event, derived, clash);
    const w = this.c.windows;
    if (w !== undefined && this.windows !== undefined) {
      const groupBy = w.groupBy;
      // The window state copies the key values it keeps: one scratch array serves every event.
      const keyValues = this.keyValues;
      for (let g = 0; g < groupBy.length; g++) keyValues[g] = event[groupBy[g]!] ?? null;
      const first = keyValues[0];
      // A lone string key is its own name; anything else is JSON after a NUL, which no plain string key starts with.
      const key =
        groupBy.length === 1 && typeof first === "string" && first.charCodeAt(0) !== 0
          ? first
          : `\u0000${JSON.stringify(keyValues)}`;
      const fields = w.aggregateFields;
      const values = this.aggregateValues;
      for (let a = 0; a < fields.length; a++) {
        const f = fields[a];
        values[a] = f === undefined ? 1 : event[f];
      }
      this.windows.add(key, keyValues, t, values);
    }
  }

  /** Cuts the current epoch and queues its commit behind the previous one's. */
  private async cut(): Promise<void> {
    await this.inflight;
    this.throwIfFailed();
    const epoch = this.epoch + 1;
    const recorded = this.pending?.epoch === epoch ? this.pending : undefined;
    if (
      recorded?.watermark !== undefined &&
      recorded.watermark !== null &&
      recorded.watermark > this.watermark
    ) {
      this.watermark = recorded.watermark;
    }
    const boundary: EpochBoundary = {
      epoch,
      endPosition: this.position,
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
    };
    let windowRows: EpochOutput["windows"] = {
      schema: { fields: this.c.windows?.outputFields ?? [] },
      columns: [],
      numRows: 0,
    };
    if (this.windows && this.c.windows) {
      const closed = this.windows.close(this.watermark - this.lateness);
      const changed = this.c.job.windows!.mode === "update" ? this.windows.drainChanged() : [];
      windowRows = windowRowsToBatch(
        [...closed, ...changed],
        this.c.windows.groupFields,
        this.c.windows.aggregates,
      );
    }
    this.counts.windowsEmitted += windowRows.numRows;
    const state: SavedState = this.windows ? { windows: this.windows.save() } : {};
    const stateText = JSON.stringify(state);
    const checkpoint: PartitionCheckpoint = {
      epoch,
      position: this.position,
      watermark: boundary.watermark,
      maxEventTime: Number.isFinite(this.maxEventTime) ? this.maxEventTime : null,
      state: stateText,
      counts: { ...this.counts },
      stateBytes: Buffer.byteLength(stateText),
      openWindows: this.windows?.size ?? 0,
      committedAt: "",
    };
    const output: EpochOutput = {
      job: this.job,
      partition: this.partition,
      epoch,
      endPosition: this.position,
      events: await this.events.take(),
      windows: windowRows,
      upsert: this.c.job.windows?.mode === "update",
      deadLetters: this.deadLetters,
      late: this.late,
    };
    this.deadLetters = [];
    this.late = [];
    this.epoch = epoch;
    this.pending = undefined;
    this.changedSinceCut = false;
    this.messagesSinceCut = 0;
    this.lastCutAt = this.init.clock.now().getTime();
    this.inflight = this.init.commitQueue
      .run(() => this.commit(boundary, output, checkpoint, recorded !== undefined))
      .catch((error: unknown) => {
        this.failed = error;
      });
  }

  private async commit(
    boundary: EpochBoundary,
    output: EpochOutput,
    checkpoint: PartitionCheckpoint,
    alreadyPending: boolean,
  ): Promise<void> {
    const { store, owner, sinks, clock } = this.init;
    const started = clock.now().getTime();
    if (!alreadyPending) await store.prepare(this.job, this.partition, owner, boundary);
    try {
      for (const sink of sinks) await commitWithRetries(sink, output, clock);
    } finally {
      if (!("columns" in output.events)) await removeEventsFile(output.events);
    }
    checkpoint.committedAt = clock.now().toISOString();
    await store.commit(this.job, this.partition, owner, checkpoint);
    await this.init.reader.ack(checkpoint.position);
    const now = clock.now().getTime();
    this.init.onEvent?.({
      type: "stream.checkpoint",
      job: this.job,
      partition: this.partition,
      epoch: checkpoint.epoch,
      position: checkpoint.position,
      counts: checkpoint.counts,
      watermark: checkpoint.watermark,
      watermarkLagMs: checkpoint.watermark === null ? null : Math.max(0, now - checkpoint.watermark),
      stateBytes: checkpoint.stateBytes,
      openWindows: checkpoint.openWindows,
      checkpointMs: now - started,
      eventsWritten: output.events.numRows,
      windowsWritten: output.windows.numRows,
    });
  }
}
