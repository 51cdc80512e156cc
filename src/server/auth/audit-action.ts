import { AuditLog } from "../../governance/audit/audit-log.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { actorOf, type Principal } from "./principal.js";

/**
 * Writes an action taken through the API to the audit log, with the principal as the actor
 * (`token:<name>` or `local`): trigger, backfill, retry, pause, stream reset… A store
 * without SQL (a test double) has no audit log and records nothing.
 *
 * @example
 * await auditAction(store, c.get("principal"), "run.manual", { pipeline: "customers", logicalDate });
 */
export async function auditAction(
  store: MetadataStore,
  principal: Principal,
  action: string,
  details: Record<string, unknown> & { dataset?: string; reason?: string } = {},
): Promise<void> {
  const db = sqlDatabaseOf(store);
  if (!db) return;
  const { dataset: named, reason, ...rest } = details;
  // A run action names its pipeline; the log's dataset column holds it, as for `weir run`.
  const dataset =
    typeof named === "string" ? named : typeof rest.pipeline === "string" ? rest.pipeline : undefined;
  await new AuditLog(db).append({
    actor: actorOf(principal),
    action,
    ...(dataset === undefined ? {} : { dataset }),
    ...(typeof reason === "string" ? { reason } : {}),
    details: { ...rest, via: "api", ...(principal.tokenId === null ? {} : { tokenId: principal.tokenId }) },
  });
}
