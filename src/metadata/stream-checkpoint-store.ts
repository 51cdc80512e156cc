import { type Clock, systemClock } from "../core/clock.js";
import { StreamError } from "../core/errors.js";
import {
  type EpochBoundary,
  emptyCounts,
  type PartitionCheckpoint,
  type PartitionStatus,
  type StreamCheckpointStore,
  type StreamCounts,
} from "../streaming/contracts.js";
import { fromJson, optionalNumber, type SqlDatabase, toNumber } from "./sql-database.js";

export type { StreamCheckpointStore } from "../streaming/contracts.js";

interface PartitionRow {
  job: string;
  partition: string;
  epoch: number | string;
  position: number | string | null;
  watermark: number | string | null;
  max_event_time: number | string | null;
  state: string | null;
  counts: string | null;
  state_bytes: number | string | null;
  open_windows: number | string | null;
  committed_at: string | null;
  pending_epoch: number | string | null;
  pending_end_position: number | string | null;
  pending_watermark: number | string | null;
  start_after: number | string | null;
  owner: string | null;
  lease_expires_at: number | string | null;
}

const COLUMNS = `job, "partition", epoch, position, watermark, max_event_time, state, counts, state_bytes,
  open_windows, committed_at, pending_epoch, pending_end_position, pending_watermark, start_after, owner,
  lease_expires_at`;

const KEY = `job = ? AND "partition" = ?`;
/** The lease is the caller's and has not expired: the guard of every write a lease holder makes. */
const HELD = `${KEY} AND owner = ? AND lease_expires_at > ?`;

/**
 * `StreamCheckpointStore` on the metadata store's `SqlDatabase` (SQLite or PostgreSQL), in
 * the `stream_partitions` table (migration 5).
 *
 * Leases use the injected clock's wall time (epoch ms), so processes sharing a store need
 * roughly synchronised clocks; a lease's TTL should be well above their skew.
 *
 * Every write is one statement, safe under concurrency without a transaction: `acquire`
 * first inserts the partition's row if missing (`ON CONFLICT DO NOTHING`, the insert-or-get)
 * and then takes the lease with one conditional `UPDATE … WHERE owner IS NULL OR owner = me
 * OR expired … RETURNING`. On PostgreSQL concurrent UPDATEs of the row queue on its row lock
 * and each re-checks the WHERE against the winner's version, so exactly one of several
 * acquirers gets the row; SQLite serialises writers. `prepare`, `commit` and `renew` are
 * single UPDATEs guarded by "owner = me and the lease has not expired", so a process whose
 * lease lapsed (and may have been taken over) can never write its epoch or checkpoint.
 *
 * A reset partition keeps its epoch number: it reads back as a checkpoint at that epoch,
 * positioned at `startAfter`, with empty `state` ("") and zeroed counts, so the next epoch
 * is the old one + 1 (sinks skip epochs they hold). `checkpoint` is undefined only while no
 * epoch was ever committed.
 */
export class SqlStreamCheckpointStore implements StreamCheckpointStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock = systemClock,
  ) {}

  async acquire(
    job: string,
    partition: string,
    owner: string,
    ttlMs: number,
    options: { from?: string } = {},
  ): Promise<PartitionStatus | undefined> {
    const now = this.now();
    await this.ensureRow(job, partition);
    const row = await this.db.get<PartitionRow>(
      `UPDATE stream_partitions SET owner = ?, lease_expires_at = ?
       WHERE ${KEY} AND (owner IS NULL OR owner = ? OR owner = ? OR lease_expires_at IS NULL OR lease_expires_at <= ?)
       RETURNING ${COLUMNS}`,
      [owner, expiry(now, ttlMs), job, partition, owner, options.from ?? owner, now],
    );
    return row ? toStatus(row) : undefined;
  }

  async renew(job: string, partition: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const changed = await this.db.run(`UPDATE stream_partitions SET lease_expires_at = ? WHERE ${HELD}`, [
      expiry(now, ttlMs),
      job,
      partition,
      owner,
      now,
    ]);
    return changed > 0;
  }

  async release(job: string, partition: string, owner: string): Promise<void> {
    await this.db.run(
      `UPDATE stream_partitions SET owner = NULL, lease_expires_at = NULL WHERE ${KEY} AND owner = ?`,
      [job, partition, owner],
    );
  }

  async prepare(job: string, partition: string, owner: string, boundary: EpochBoundary): Promise<void> {
    const changed = await this.db.run(
      `UPDATE stream_partitions SET pending_epoch = ?, pending_end_position = ?, pending_watermark = ?
       WHERE ${HELD}`,
      [
        boundary.epoch,
        boundary.endPosition,
        finiteOrNull(boundary.watermark),
        job,
        partition,
        owner,
        this.now(),
      ],
    );
    if (changed === 0) throw await this.leaseLost(job, partition, owner, `prepare epoch ${boundary.epoch}`);
  }

  async commit(
    job: string,
    partition: string,
    owner: string,
    checkpoint: PartitionCheckpoint,
  ): Promise<void> {
    const changed = await this.db.run(
      `UPDATE stream_partitions SET epoch = ?, position = ?, watermark = ?, max_event_time = ?, state = ?,
         counts = ?, state_bytes = ?, open_windows = ?, committed_at = ?,
         pending_epoch = NULL, pending_end_position = NULL, pending_watermark = NULL, start_after = NULL
       WHERE ${HELD}`,
      [
        checkpoint.epoch,
        checkpoint.position,
        finiteOrNull(checkpoint.watermark),
        finiteOrNull(checkpoint.maxEventTime),
        checkpoint.state,
        JSON.stringify(checkpoint.counts),
        checkpoint.stateBytes,
        checkpoint.openWindows,
        checkpoint.committedAt,
        job,
        partition,
        owner,
        this.now(),
      ],
    );
    if (changed === 0) throw await this.leaseLost(job, partition, owner, `commit epoch ${checkpoint.epoch}`);
  }

  async list(job?: string): Promise<PartitionStatus[]> {
    const rows =
      job === undefined
        ? await this.db.all<PartitionRow>(`SELECT ${COLUMNS} FROM stream_partitions`)
        : await this.db.all<PartitionRow>(`SELECT ${COLUMNS} FROM stream_partitions WHERE job = ?`, [job]);
    return rows.map(toStatus).sort(byJobAndPartition);
  }

  async reset(job: string, partition: string, startAfter: number): Promise<void> {
    const now = this.now();
    await this.ensureRow(job, partition);
    const changed = await this.db.run(
      `UPDATE stream_partitions SET position = NULL, watermark = NULL, max_event_time = NULL, state = NULL,
         counts = NULL, state_bytes = NULL, open_windows = NULL, committed_at = ?,
         pending_epoch = NULL, pending_end_position = NULL, pending_watermark = NULL, start_after = ?,
         owner = NULL, lease_expires_at = NULL
       WHERE ${KEY} AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ?)`,
      [new Date(now).toISOString(), startAfter, job, partition, now],
    );
    if (changed === 0) throw await this.leaseLost(job, partition, undefined, "reset");
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** The insert-or-get of a partition's row: concurrent callers all end up with the one row. */
  private async ensureRow(job: string, partition: string): Promise<void> {
    await this.db.run(
      `INSERT INTO stream_partitions (job, "partition", epoch) VALUES (?, ?, 0)
       ON CONFLICT (job, "partition") DO NOTHING`,
      [job, partition],
    );
  }

  /** STREAM_LEASE_LOST naming who holds the partition now, as far as the store knows. */
  private async leaseLost(
    job: string,
    partition: string,
    owner: string | undefined,
    what: string,
  ): Promise<StreamError> {
    const row = await this.db.get<PartitionRow>(`SELECT ${COLUMNS} FROM stream_partitions WHERE ${KEY}`, [
      job,
      partition,
    ]);
    const holder = row?.owner ?? undefined;
    const until = optionalNumber(row?.lease_expires_at);
    const held =
      holder === undefined
        ? "no process holds its lease"
        : `${holder === owner ? "its lease expired" : `it is held by ${holder}`}${until === undefined ? "" : ` (lease until ${new Date(until).toISOString()})`}`;
    const who = owner === undefined ? "" : ` by ${owner}`;
    return new StreamError(
      "STREAM_LEASE_LOST",
      `cannot ${what} of stream ${job} partition ${partition}${who}: ${held}`,
      { details: { job, partition, owner, holder, leaseExpiresAt: until } },
    );
  }
}

/** When a lease taken at `now` for `ttlMs` expires, as the whole milliseconds the BIGINT column holds. */
function expiry(now: number, ttlMs: number): number {
  return Math.ceil(now + ttlMs);
}

/** A watermark or event time as stored: -Infinity (nothing seen yet) and NaN become NULL. */
function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

function toStatus(row: PartitionRow): PartitionStatus {
  const epoch = toNumber(row.epoch);
  const startAfter = optionalNumber(row.start_after);
  const pendingEpoch = optionalNumber(row.pending_epoch);
  const leaseExpiresAt = optionalNumber(row.lease_expires_at);
  return {
    job: row.job,
    partition: row.partition,
    ...(epoch > 0 ? { checkpoint: toCheckpoint(row, epoch, startAfter) } : {}),
    ...(pendingEpoch === undefined
      ? {}
      : {
          pending: {
            epoch: pendingEpoch,
            endPosition: toNumber(row.pending_end_position),
            watermark: optionalNumber(row.pending_watermark) ?? null,
          },
        }),
    ...(startAfter === undefined ? {} : { startAfter }),
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(leaseExpiresAt === undefined ? {} : { leaseExpiresAt: new Date(leaseExpiresAt).toISOString() }),
  };
}

/** The committed checkpoint; after a reset (position cleared) the kept epoch at `startAfter`, empty. */
function toCheckpoint(row: PartitionRow, epoch: number, startAfter: number | undefined): PartitionCheckpoint {
  const position = optionalNumber(row.position);
  return {
    epoch,
    position: position ?? startAfter ?? 0,
    watermark: optionalNumber(row.watermark) ?? null,
    maxEventTime: optionalNumber(row.max_event_time) ?? null,
    state: row.state ?? "",
    counts: { ...emptyCounts(), ...fromJson<Partial<StreamCounts>>(row.counts) },
    stateBytes: optionalNumber(row.state_bytes) ?? 0,
    openWindows: optionalNumber(row.open_windows) ?? 0,
    committedAt: row.committed_at ?? "",
  };
}

/** Jobs by name, partitions in natural order ("2" before "10"). */
function byJobAndPartition(a: PartitionStatus, b: PartitionStatus): number {
  if (a.job !== b.job) return a.job < b.job ? -1 : 1;
  return a.partition.localeCompare(b.partition, "en", { numeric: true });
}
