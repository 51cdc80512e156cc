import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { AuditLog } from "./audit-log.js";

/**
 * Writes a run somebody started by hand (`weir run`, `weir backfill`, `weir retry`) to the
 * audit log: who, which pipeline, which dates. Scheduled runs are not audited (nobody
 * chose them; the schedule is in the code).
 */
export async function auditManualRun(
  store: MetadataStore,
  entry: {
    action: "run.manual" | "run.backfill" | "run.retry";
    pipeline: string;
    details: Record<string, unknown>;
  },
): Promise<void> {
  const db = sqlDatabaseOf(store);
  if (!db) return;
  await new AuditLog(db).append({ action: entry.action, dataset: entry.pipeline, details: entry.details });
}
