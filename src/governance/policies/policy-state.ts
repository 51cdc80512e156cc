import { createHash } from "node:crypto";
import { type Clock, systemClock } from "../../core/clock.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { auditActor } from "../audit/audit-actor.js";
import { AuditLog } from "../audit/audit-log.js";
import { canonicalJson } from "../audit/canonical-json.js";
import type { DatasetPolicy } from "./policy-types.js";

/** SHA-256 (hex) of the policy's canonical JSON: equal policies, equal fingerprints. */
export function policyFingerprint(policy: DatasetPolicy): string {
  return createHash("sha256").update(canonicalJson(policy)).digest("hex");
}

export interface PolicyStateResult {
  /** True when this call recorded a new or changed policy (and audited it). */
  changed: boolean;
  fingerprint: string;
  /** The fingerprint recorded before, if any. */
  previous?: string;
}

/** Rounds when other recorders keep changing the same dataset's policy underneath. */
const MAX_ROUNDS = 5;

/**
 * Records the policy a dataset lands with. When its fingerprint differs from the one in
 * `policy_state` (or none is there), the row is replaced and a `policy.change` entry with
 * the old and new definitions is appended, in one transaction; an unchanged policy writes
 * nothing. The write is a compare-and-set on the old fingerprint, so two processes
 * recording the same change at once audit it once.
 *
 * @example
 * await recordPolicyState(store.database, customersPolicy, auditActor());
 */
export async function recordPolicyState(
  db: SqlDatabase,
  policy: DatasetPolicy,
  actor: string = auditActor(),
  options: { audit?: AuditLog; clock?: Clock } = {},
): Promise<PolicyStateResult> {
  const clock = options.clock ?? systemClock;
  const audit = options.audit ?? new AuditLog(db, { clock });
  const fingerprint = policyFingerprint(policy);
  const definition = canonicalJson(policy);
  return db.transaction(async (tx) => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const row = await tx.get<{ fingerprint: string; definition: string }>(
        "SELECT fingerprint, definition FROM policy_state WHERE dataset = ?",
        [policy.dataset],
      );
      const previous = row === undefined ? {} : { previous: row.fingerprint };
      if (row?.fingerprint === fingerprint) return { changed: false, fingerprint, ...previous };
      const at = clock.now().toISOString();
      const written =
        row === undefined
          ? await tx.run(
              `INSERT INTO policy_state (dataset, fingerprint, definition, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (dataset) DO NOTHING`,
              [policy.dataset, fingerprint, definition, at],
            )
          : await tx.run(
              "UPDATE policy_state SET fingerprint = ?, definition = ?, updated_at = ? WHERE dataset = ? AND fingerprint = ?",
              [fingerprint, definition, at, policy.dataset, row.fingerprint],
            );
      // Another recorder changed it first: look again.
      if (written === 0) continue;
      await audit.appendWithin(tx, {
        actor,
        action: "policy.change",
        dataset: policy.dataset,
        details: {
          old:
            row === undefined
              ? null
              : { fingerprint: row.fingerprint, definition: JSON.parse(row.definition) },
          new: { fingerprint, definition: policy },
        },
      });
      return { changed: true, fingerprint, ...previous };
    }
    return { changed: false, fingerprint };
  });
}
