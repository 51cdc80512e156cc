import { type AuditRow, entryHash, GENESIS_HASH, hashedFieldsOf } from "./audit-entry.js";

/** What `AuditLog.verify` found. */
export interface AuditVerification {
  /** True when every entry's hash matches its contents and links to the one before, with no gaps. */
  ok: boolean;
  /** Entries in the log. */
  entries: number;
  /** The last entry: record its hash elsewhere to notice later a cut or rewritten tail. */
  head?: { seq: number; hash: string };
  /** The first seq that does not verify (for a gap: the first missing one). */
  firstBadSeq?: number;
  /** Why it does not, for people. */
  reason?: string;
}

/**
 * Checks a chain fed in seq order, one row at a time, so a long log is verified page by
 * page. It finds an edited entry (its hash no longer matches), removed entries (a gap in
 * seq, or a log not starting at 1) and an entry re-hashed after an edit (the next entry's
 * `prev_hash` no longer links to it). Rewriting every entry from the edit to the end, or
 * cutting the tail off, keeps a chain consistent: only a head recorded elsewhere shows that.
 */
export class AuditChainCheck {
  private entries = 0;
  private previous: { seq: number; hash: string } | undefined;
  private failure: { seq: number; reason: string } | undefined;

  add(row: AuditRow): void {
    this.entries++;
    const fields = hashedFieldsOf(row);
    const last = this.previous;
    this.previous = { seq: fields.seq, hash: row.hash };
    if (this.failure) return;
    const expected = (last?.seq ?? 0) + 1;
    if (fields.seq !== expected) {
      const missing =
        expected === fields.seq - 1 ? `seq ${expected} is` : `seqs ${expected}–${fields.seq - 1} are`;
      this.fail(expected, `${missing} missing: entries were removed`);
    } else if (entryHash(row.prev_hash, fields) !== row.hash) {
      this.fail(fields.seq, `seq ${fields.seq}'s hash does not match its contents: the entry was changed`);
    } else if (row.prev_hash !== (last?.hash ?? GENESIS_HASH)) {
      this.fail(
        fields.seq,
        last === undefined
          ? `seq 1 does not start from the genesis hash: the log's start was rewritten`
          : `seq ${fields.seq} does not link to seq ${last.seq}: seq ${last.seq} was changed and re-hashed (or this entry's prev_hash was)`,
      );
    }
  }

  result(): AuditVerification {
    return {
      ok: this.failure === undefined,
      entries: this.entries,
      ...(this.previous ? { head: this.previous } : {}),
      ...(this.failure ? { firstBadSeq: this.failure.seq, reason: this.failure.reason } : {}),
    };
  }

  private fail(seq: number, reason: string): void {
    this.failure = { seq, reason };
  }
}
