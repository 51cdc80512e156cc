import type { Migration } from "./migrations.js";

/**
 * Migration 5: stream partitions. One row per job and source partition holds the
 * partition's committed checkpoint (epoch, position, watermark, window state, counts), the
 * epoch pending between "boundary recorded" and "every sink committed", where reading
 * starts after `weir stream reset`, and the lease (owner and expiry) of the process running
 * it. Checkpoint and lease share the row so that "am I still the owner?" and "write my
 * pending epoch / checkpoint" are one conditional UPDATE.
 *
 * `lease_expires_at` is epoch milliseconds (BIGINT), so expiry is a plain comparison on
 * both databases; `committed_at` is ISO-8601 text like the other tables' instants.
 * `partition` is quoted: it is a keyword in SQLite and PostgreSQL.
 */
export const STREAM_MIGRATION: Migration = {
  version: 5,
  name: "streams: partition checkpoints, pending epochs and leases",
  statements: [
    `CREATE TABLE stream_partitions (
      job TEXT NOT NULL,
      "partition" TEXT NOT NULL,
      epoch BIGINT NOT NULL,
      position BIGINT,
      watermark BIGINT,
      max_event_time BIGINT,
      state TEXT,
      counts TEXT,
      state_bytes BIGINT,
      open_windows BIGINT,
      committed_at TEXT,
      pending_epoch BIGINT,
      pending_end_position BIGINT,
      pending_watermark BIGINT,
      start_after BIGINT,
      owner TEXT,
      lease_expires_at BIGINT,
      PRIMARY KEY (job, "partition")
    )`,
  ],
};
