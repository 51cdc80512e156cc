import { redactDeep } from "../../config/secret.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError, WeirError } from "../../core/errors.js";
import type { SqlConnection, SqlDatabase, SqlValue } from "../../metadata/sql-database.js";
import { auditActor } from "./audit-actor.js";
import { AuditChainCheck, type AuditVerification } from "./audit-chain.js";
import {
  type AuditEntry,
  type AuditEntryInput,
  type AuditRow,
  entryHash,
  entryOf,
  GENESIS_HASH,
  type HashedFields,
} from "./audit-entry.js";
import { canonicalJson } from "./canonical-json.js";

export interface AuditLogOptions {
  /** The actor of entries that name none (default: `WEIR_USER`, else the OS user). */
  actor?: string;
  clock?: Clock;
}

export interface ListAuditOptions {
  /** At most this many, newest first (default 50). */
  limit?: number;
  /** Only entries with this action. */
  action?: string;
}

/**
 * Head reads before an append gives up. Each lost race means another writer appended, so
 * this is only reached by a store appended to faster than one writer can ever catch up.
 */
const MAX_APPEND_ATTEMPTS = 1000;

/** Rows read per page when verifying, so a long log is never held in memory. */
const VERIFY_PAGE = 1000;

const COLUMNS = "seq, at, actor, action, dataset, rows_affected, reason, details, prev_hash, hash";

/**
 * The append-only, hash-chained audit log in the metadata store (`audit_log`, migration 7):
 * who did what, when, to which dataset, to how many rows and why — for detokenization,
 * erasure, policy changes and manual runs.
 *
 * An append reads the head (highest seq), and inserts seq + 1 whose `prev_hash` is the
 * head's hash. Two writers that read the same head race for the same seq, which is the
 * primary key: the insert is `ON CONFLICT DO NOTHING`, so the loser inserts nothing (on
 * PostgreSQL after waiting for the winner's commit), reads the new head and tries again,
 * inside its own transaction. No statement fails, so an append can also run inside a
 * caller's transaction (`appendWithin`) and commit together with what it records.
 *
 * Secrets registered in this process are scrubbed from an entry before it is hashed, so
 * the stored text is the hashed text even when the database is reached through a
 * redacting store.
 *
 * @example
 * const audit = new AuditLog(store.database);
 * await audit.append({ action: "run.manual", dataset: "customers", reason: "re-run after fix" });
 * const check = await audit.verify(); // { ok: true, entries: 1, head: { seq: 1, hash: "…" } }
 */
export class AuditLog {
  private readonly actor: string | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly db: SqlDatabase,
    options: AuditLogOptions = {},
  ) {
    this.actor = options.actor;
    this.clock = options.clock ?? systemClock;
  }

  /** Appends one entry in a transaction of its own and returns it as stored. */
  append(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.db.transaction((tx) => this.appendWithin(tx, entry));
  }

  /**
   * Appends one entry on `tx`, a connection inside the caller's transaction, so the entry
   * commits (or rolls back) with the change it records.
   */
  async appendWithin(tx: SqlConnection, entry: AuditEntryInput): Promise<AuditEntry> {
    const input = redactDeep(checkEntry(entry));
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const head = await tx.get<{ seq: number | string; hash: string }>(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
      );
      const prevHash = head?.hash ?? GENESIS_HASH;
      const fields: HashedFields = {
        seq: head === undefined ? 1 : Number(head.seq) + 1,
        at: this.clock.now().toISOString(),
        actor: input.actor ?? this.actor ?? auditActor(),
        action: input.action,
        dataset: input.dataset ?? null,
        rows: input.rows ?? null,
        reason: input.reason ?? null,
        details: input.details === undefined ? null : canonicalJson(input.details),
      };
      const hash = entryHash(prevHash, fields);
      const params: SqlValue[] = [
        fields.seq,
        fields.at,
        fields.actor,
        fields.action,
        fields.dataset,
        fields.rows,
        fields.reason,
        fields.details,
        prevHash,
        hash,
      ];
      const inserted = await tx.run(
        `INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
        params,
      );
      if (inserted === 1) {
        return { ...fields, details: input.details ?? null, prevHash, hash };
      }
    }
    throw new WeirError(
      "METADATA_FAILED",
      `could not append to the audit log: another writer took the next seq ${MAX_APPEND_ATTEMPTS} times in a row`,
      { retryable: true, details: { action: entry.action } },
    );
  }

  /** The last entry's seq and hash, or undefined for an empty log. */
  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const row = await this.db.get<{ seq: number | string; hash: string }>(
      "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
    );
    return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
  }

  /** Entries, newest first. */
  async list(options: ListAuditOptions = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ConfigError(`audit list: limit must be a whole number of at least 1, got ${limit}`);
    }
    const where = options.action === undefined ? "" : " WHERE action = ?";
    const params: SqlValue[] = options.action === undefined ? [limit] : [options.action, limit];
    const rows = await this.db.all<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_log${where} ORDER BY seq DESC LIMIT ?`,
      params,
    );
    return rows.map(entryOf);
  }

  /**
   * Recomputes the chain from seq 1, page by page, and reports the first entry that does
   * not verify: an edited entry, removed entries (a gap) or a re-hashed entry that the
   * next no longer links to. See `AuditChainCheck` for what a chain alone cannot show.
   */
  async verify(): Promise<AuditVerification> {
    const check = new AuditChainCheck();
    let after = 0;
    for (;;) {
      const page = await this.db.all<AuditRow>(
        `SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ${VERIFY_PAGE}`,
        [after],
      );
      for (const row of page) check.add(row);
      if (page.length < VERIFY_PAGE) break;
      after = Number(page[page.length - 1]!.seq);
    }
    return check.result();
  }
}

function checkEntry(entry: AuditEntryInput): AuditEntryInput {
  if (typeof entry.action !== "string" || !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(entry.action)) {
    throw new ConfigError(
      `audit entry action ${JSON.stringify(entry.action)} is invalid: expected dotted lower-case words such as "detokenize" or "policy.change"`,
      { details: { action: entry.action } },
    );
  }
  if (entry.rows !== undefined && (!Number.isSafeInteger(entry.rows) || entry.rows < 0)) {
    throw new ConfigError(`audit entry ${entry.action}: rows must be a whole number ≥ 0, got ${entry.rows}`, {
      details: { action: entry.action },
    });
  }
  if (entry.actor !== undefined && entry.actor.trim() === "") {
    throw new ConfigError(`audit entry ${entry.action}: actor must not be empty`, {
      details: { action: entry.action },
    });
  }
  return entry;
}
