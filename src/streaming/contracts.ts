/**
 * The small interfaces the stream runtime and its parts (sources, sinks, the checkpoint
 * store, windows and aggregates) meet at. A stream job runs one *partition task* per
 * source partition (a subject `user-events.<p>` of a NATS stream, or the one partition of
 * a file); each task has its own position, watermark, window state and epochs, so a
 * partition can move between processes on its own.
 *
 * Exactly once, in short: a task cuts its input into epochs. Before the sinks see epoch
 * N it records N's boundary (end position and watermark) as *pending* in the metadata
 * store; then every sink commits N idempotently (a sink that already holds N does
 * nothing); then the checkpoint (positions, window state, counts) for N replaces the
 * pending record; then the source acknowledges up to N's end. A task restarted from
 * checkpoint N-1 with N pending replays up to exactly N's recorded end and watermark, so
 * it produces the same epoch N the sinks may already hold.
 */

import type { RecordBatch } from "../core/batch.js";
import type { Schema } from "../core/types.js";

/** One message as a source delivers it. */
export interface SourceMessage {
  /** The raw bytes (or text, for file replay) of one event. */
  data: Uint8Array | string;
  /**
   * Where it sits in its partition: the JetStream stream sequence, or the 1-based line
   * number of a replayed file. Strictly increasing within a partition.
   */
  position: number;
}

/** Where a partition's reading starts when it has no checkpoint, or after `weir stream reset`. */
export type StartPosition = "earliest" | "latest" | Date;

/** One partition of a source, opened by its task. */
export interface PartitionReader {
  readonly partition: string;
  /**
   * Up to `max` next messages, in position order. Resolves `[]` when nothing arrived
   * within `waitMs` (the runtime then considers idleness), `null` when the partition has
   * ended for good (a replayed file at its end). Never returns a message twice unless
   * the reader was reopened.
   */
  next(max: number, waitMs: number): Promise<SourceMessage[] | null>;
  /**
   * Acknowledges every message up to and including `position` (batched: one ack covers
   * all before it). Called only after the checkpoint covering them has committed.
   */
  ack(position: number): Promise<void>;
  /** Messages in the partition after `position` not yet read (lag), when the source knows. */
  lag?(position: number): Promise<number | undefined>;
  close(): Promise<void>;
}

/** A stream source: its partitions and a reader for each. */
export interface StreamSource {
  /** `nats:<stream>/<subject>` or `file:<path>`: for status lines and errors. */
  readonly description: string;
  /** Partition names, stable across runs (`"0"`…`"n-1"` for subject partitions, `"file"`). */
  partitions(): Promise<string[]>;
  /**
   * Opens a partition to read the messages strictly after `after` (a position from a
   * checkpoint), or from `start` when there is no checkpoint.
   */
  open(partition: string, after: number | undefined, start: StartPosition): Promise<PartitionReader>;
  /** Messages of `partition` after `position` (for `weir stream status`), when the source knows. */
  lag?(partition: string, position: number): Promise<number | undefined>;
  /** The position just before the first message at or after `start` (for `weir stream reset`). */
  positionBefore(partition: string, start: StartPosition): Promise<number>;
  close(): Promise<void>;
}

/** An input that could not become an event: kept whole, with why and where. */
export interface DeadLetter {
  partition: string;
  position: number;
  /** The raw bytes, as received (binary garbage stays binary). */
  raw: Uint8Array;
  /** `parse` (not JSON / not an object), `schema` (a field of the wrong type or missing), `too_large`. */
  kind: "parse" | "schema" | "too_large";
  error: string;
}

/** An event that arrived after the watermark had passed it (plus allowed lateness). */
export interface LateEvent {
  partition: string;
  position: number;
  /** Event time, epoch milliseconds. */
  eventTime: number;
  /** The watermark (epoch ms) when it arrived. */
  watermark: number;
  reason: string;
  /** The parsed event as JSON text. */
  event: string;
}

/**
 * An epoch's kept events as an NDJSON scratch file (each event's text as received, derived
 * columns spliced in), typed by `schema`: sinks let the engine's JSON reader build the
 * columns. No file when there are no rows. The runtime removes it after the epoch commits.
 */
export interface EpochEvents {
  schema: Schema;
  numRows: number;
  file?: string;
}

/** What one epoch of one partition task hands to the sinks. */
export interface EpochOutput {
  job: string;
  partition: string;
  epoch: number;
  /** The epoch's end position (the last message it covers). */
  endPosition: number;
  /** Kept (parsed, not filtered, not late) events, enriched, in arrival order: lines, or a batch. */
  events: EpochEvents | RecordBatch;
  /**
   * Window rows to write: in `update` mode every window changed in this epoch (and every
   * window closed in it), in `append` mode every window closed in it. Columns
   * `window_start`, `window_end` (timestamptz), the group keys, then the aggregates.
   */
  windows: RecordBatch;
  /** True when the output is `update` (upsert by window + keys), false for `append`. */
  upsert: boolean;
  deadLetters: DeadLetter[];
  late: LateEvent[];
}

/** A sink that commits an epoch's output exactly once. */
export interface EpochSink {
  readonly name: string;
  /**
   * Commits the epoch. Committing an epoch the sink already holds (for this job and
   * partition, this epoch or a later one) changes nothing and resolves.
   */
  commit(output: EpochOutput): Promise<void>;
  /** The last epoch this sink committed for the job's partition, if any. */
  committedEpoch(job: string, partition: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Counts a partition task keeps; in = parsed + deadLettered, parsed = kept + filteredOut + late. */
export interface StreamCounts {
  in: number;
  parsed: number;
  deadLettered: number;
  kept: number;
  filteredOut: number;
  late: number;
  /** Window rows written (update mode: every write of a changed window). */
  windowsEmitted: number;
}

export function emptyCounts(): StreamCounts {
  return { in: 0, parsed: 0, deadLettered: 0, kept: 0, filteredOut: 0, late: 0, windowsEmitted: 0 };
}

/** The boundary of an epoch, recorded before its sinks commit. */
export interface EpochBoundary {
  epoch: number;
  endPosition: number;
  /** The watermark at the boundary (epoch ms; -Infinity is stored as null). */
  watermark: number | null;
}

/** A committed checkpoint of one partition task. */
export interface PartitionCheckpoint {
  epoch: number;
  /** The last position the checkpoint covers (0 before any message). */
  position: number;
  watermark: number | null;
  /** Max event time seen, epoch ms. */
  maxEventTime: number | null;
  /** Window state and anything else the task needs to resume, as JSON text. */
  state: string;
  counts: StreamCounts;
  /** Bytes of `state`. */
  stateBytes: number;
  /** Open windows held. */
  openWindows: number;
  committedAt: string;
}

/** A partition's row in the store: its checkpoint, pending epoch and lease. */
export interface PartitionStatus {
  job: string;
  partition: string;
  checkpoint?: PartitionCheckpoint;
  pending?: EpochBoundary;
  /** Where reading starts when there is no checkpoint (set by `weir stream reset`). */
  startAfter?: number;
  owner?: string;
  leaseExpiresAt?: string;
}

/**
 * Checkpoints and leases of stream partitions, in the metadata store (SQLite or
 * PostgreSQL). Lease and checkpoint share one row, so "am I still the owner?" and "write
 * my pending epoch / checkpoint" are one statement and a process that lost its lease
 * cannot write either.
 */
export interface StreamCheckpointStore {
  /**
   * Takes the partition's lease for `owner` when it is free, expired, or already
   * `owner`'s, or held by `options.from` (an owner the caller knows is dead: a process of
   * this host that no longer exists); returns the partition's status (checkpoint and
   * pending epoch included), or undefined when another live owner holds it.
   */
  acquire(
    job: string,
    partition: string,
    owner: string,
    ttlMs: number,
    options?: { from?: string },
  ): Promise<PartitionStatus | undefined>;
  /** Extends the lease; false when `owner` no longer holds it. */
  renew(job: string, partition: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lease (clean shutdown) so another process may take it at once. */
  release(job: string, partition: string, owner: string): Promise<void>;
  /** Records epoch `boundary` as pending; throws STREAM_LEASE_LOST when `owner` no longer holds the lease. */
  prepare(job: string, partition: string, owner: string, boundary: EpochBoundary): Promise<void>;
  /** Stores the checkpoint and clears the pending epoch; throws STREAM_LEASE_LOST like `prepare`. */
  commit(job: string, partition: string, owner: string, checkpoint: PartitionCheckpoint): Promise<void>;
  /** Every partition of a job (or of every job), for `weir stream status`. */
  list(job?: string): Promise<PartitionStatus[]>;
  /**
   * Forgets a partition's position, pending epoch, window state and counts, and makes
   * reading start after `startAfter`. The epoch number is KEPT (the next epoch is the old
   * one + 1): sinks skip epochs they already hold, so numbering must never go back.
   * Refused (STREAM_LEASE_LOST) while a live owner holds the lease.
   */
  reset(job: string, partition: string, startAfter: number): Promise<void>;
}
