import { fromJson, type SqlDatabase, toJson } from "../../metadata/sql-database.js";
import type { ErasedDataset, NotSearchable } from "./erasure-types.js";

/** What an erasure request removed, as kept in `erasures.removed` (JSON; digests and counts, no values). */
export interface ErasureRemoved {
  datasets: ErasedDataset[];
  rows: number;
  tokens: number;
  notSearchable: NotSearchable[];
  /** Datasets it could not finish, with why (the request is then not finished). */
  failed?: { dataset: string; error: string }[];
}

/** A row of `erasures` (migration 7): one per erasure request, dry runs included. */
export interface ErasureRecord {
  id: string;
  subjectColumn: string;
  /** `hmac-sha256:<hex>` or `sha256:<hex>` of the value (see `subjectDigest`): never the value. */
  subjectDigest: string;
  requestedBy: string;
  requestedAt: string;
  /** Unset while running, or when it could not finish (see `removed.failed`). */
  finishedAt?: string;
  dryRun: boolean;
  removed?: ErasureRemoved;
}

interface ErasureRow {
  id: string;
  subject_column: string;
  subject_digest: string;
  requested_by: string;
  requested_at: string;
  finished_at: string | null;
  dry_run: number | string;
  removed: string | null;
}

/** Records a request as it starts (unfinished), so one that dies midway still shows. */
export async function startErasureRecord(
  db: SqlDatabase,
  record: Omit<ErasureRecord, "finishedAt" | "removed">,
): Promise<void> {
  await db.run(
    `INSERT INTO erasures (id, subject_column, subject_digest, requested_by, requested_at, dry_run)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [
      record.id,
      record.subjectColumn,
      record.subjectDigest,
      record.requestedBy,
      record.requestedAt,
      record.dryRun ? 1 : 0,
    ],
  );
}

/** Stores what the request removed; `finishedAt` undefined leaves it unfinished (some dataset failed). */
export async function finishErasureRecord(
  db: SqlDatabase,
  id: string,
  removed: ErasureRemoved,
  finishedAt: string | undefined,
): Promise<void> {
  await db.run("UPDATE erasures SET removed = ?, finished_at = ? WHERE id = ?", [
    toJson(removed),
    finishedAt ?? null,
    id,
  ]);
}

/**
 * Erasure requests, newest first (at most `limit`, default 50).
 *
 * @example
 * const [last] = await listErasures(store.database, { limit: 1 });
 */
export async function listErasures(
  db: SqlDatabase,
  options: { limit?: number } = {},
): Promise<ErasureRecord[]> {
  const rows = await db.all<ErasureRow>(
    "SELECT * FROM erasures ORDER BY requested_at DESC, id DESC LIMIT ?",
    [options.limit ?? 50],
  );
  return rows.map((row) => {
    const removed = fromJson<ErasureRemoved>(row.removed);
    return {
      id: row.id,
      subjectColumn: row.subject_column,
      subjectDigest: row.subject_digest,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at,
      ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
      dryRun: Number(row.dry_run) === 1,
      ...(removed === undefined ? {} : { removed }),
    };
  });
}
