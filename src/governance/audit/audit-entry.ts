import { createHash } from "node:crypto";
import { fromJson, optionalNumber, toNumber } from "../../metadata/sql-database.js";
import { canonicalJson } from "./canonical-json.js";

/** The `prev_hash` of the first entry: there is nothing before it to chain to. */
export const GENESIS_HASH = "0".repeat(64);

/** What a caller appends; `seq`, `at` and the hashes are the log's to fill in. */
export interface AuditEntryInput {
  /** Who did it (default: the log's actor, `WEIR_USER` or the OS user). */
  actor?: string;
  /** What was done, dotted lower-case: `detokenize`, `policy.change`, `erasure`, `run.manual`. */
  action: string;
  dataset?: string;
  /** How many rows (or tokens) it touched. */
  rows?: number;
  /** Why, in the actor's words. */
  reason?: string;
  /** Anything else worth keeping, as JSON (stored as canonical JSON text). */
  details?: Record<string, unknown>;
}

/** One entry as the log holds it. */
export interface AuditEntry {
  seq: number;
  /** ISO-8601 UTC. */
  at: string;
  actor: string;
  action: string;
  dataset: string | null;
  rows: number | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** An `audit_log` row as read from either database (BIGINTs may come back as strings). */
export interface AuditRow {
  seq: number | string;
  at: string;
  actor: string;
  action: string;
  dataset: string | null;
  rows_affected: number | string | null;
  reason: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** The stored fields an entry's hash covers; `details` is the stored JSON text itself. */
export interface HashedFields {
  seq: number;
  at: string;
  actor: string;
  action: string;
  dataset: string | null;
  rows: number | null;
  reason: string | null;
  details: string | null;
}

/**
 * SHA-256 (lowercase hex) over the previous entry's hash and this entry's fields as
 * canonical JSON. `seq` is among the fields, so an entry moved to another place in the
 * chain no longer matches; `prevHash` is hashed in, so changing any entry breaks every
 * link after it unless all of them are recomputed.
 */
export function entryHash(prevHash: string, fields: HashedFields): string {
  return createHash("sha256")
    .update(prevHash + canonicalJson(fields))
    .digest("hex");
}

/** The fields of a stored row, as they were hashed. */
export function hashedFieldsOf(row: AuditRow): HashedFields {
  return {
    seq: toNumber(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    dataset: row.dataset ?? null,
    rows: optionalNumber(row.rows_affected) ?? null,
    reason: row.reason ?? null,
    details: row.details ?? null,
  };
}

export function entryOf(row: AuditRow): AuditEntry {
  const fields = hashedFieldsOf(row);
  return {
    ...fields,
    details: fromJson<Record<string, unknown>>(fields.details) ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
