import { type Clock, systemClock } from "../../core/clock.js";
import { messageOf } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { lockForLoad } from "../../warehouse/load-lock.js";
import { auditActor } from "../audit/audit-actor.js";
import { AuditLog } from "../audit/audit-log.js";
import { storeDatabase } from "../audit/store-database.js";
import { TokenVault } from "../vault/token-vault.js";
import { ErasureError } from "./erasure-error.js";
import { type ErasureRemoved, finishErasureRecord, startErasureRecord } from "./erasure-record.js";
import { SqlParams } from "./erasure-sql.js";
import type {
  ErasedDataset,
  ErasureReport,
  ErasureRuntime,
  ErasureSearchOptions,
  ErasureSubject,
} from "./erasure-types.js";
import { countRows, type FoundDataset, searchSubject, tokensIn } from "./find-subject.js";

export interface EraseOptions extends ErasureSearchOptions {
  /** Only find and count: nothing is deleted or tombstoned (the request is still recorded and audited). */
  dryRun?: boolean;
  /** Why (a ticket, "GDPR art. 17 request"); kept in the audit log. */
  reason?: string;
  /** Who asks; default `WEIR_USER`, else the OS user. */
  actor?: string;
  clock?: Clock;
  /** How long a lake rewrite waits for a writer's lock before that dataset fails. Default 120 s. */
  lockWaitMs?: number;
}

/**
 * Erases a data subject everywhere `planErasure` finds it: lake datasets lose the matching
 * rows by rewriting the partitions holding them (one atomic commit each), warehouse tables
 * and `quarantine.*` tables by a DELETE with bound values (one transaction per table; every
 * version of an entity for `entityKeys` tables), and the subject's vault tokens are
 * tombstoned. Every request — dry runs too — gets a row in `erasures` (the value only as a
 * digest) and a hash-chained `erase.request` audit entry; each dataset changed gets its own
 * `erase` entry with the rows removed.
 *
 * Idempotent: a second run finds nothing, removes nothing and records that. A dataset that
 * fails (a lake lock held too long) does not stop the others; the request stays unfinished
 * and ErasureError (retryable) names what is left — run it again.
 *
 * @example
 * const report = await eraseSubject(runtime, { column: "email", value: "ann@example.com" },
 *   { reason: "ticket 4711" });
 * report.rows // rows removed, all datasets together
 */
export async function eraseSubject(
  runtime: ErasureRuntime,
  subject: ErasureSubject,
  options: EraseOptions = {},
): Promise<ErasureReport> {
  const clock = options.clock ?? systemClock;
  const actor = options.actor ?? auditActor();
  const dryRun = options.dryRun ?? false;
  const db = storeDatabase(runtime.metadata);
  const audit = new AuditLog(db, { clock, actor });
  const { plan, found } = await searchSubject(runtime, subject, options);
  const id = newId("er");
  const requestedAt = clock.now().toISOString();
  await startErasureRecord(db, {
    id,
    subjectColumn: plan.subject.column,
    subjectDigest: plan.subject.digest,
    requestedBy: actor,
    requestedAt,
    dryRun,
  });
  const facts = { erasureId: id, subjectColumn: plan.subject.column, subjectDigest: plan.subject.digest };
  const reason = options.reason?.trim() || undefined;

  const datasets: ErasedDataset[] = [];
  const failed: { dataset: string; error: string }[] = [];
  const tokens = new Set(plan.tokens);
  for (const dataset of found) {
    try {
      const erased = dryRun
        ? { ...describe(dataset), ...(await countRows(dataset.candidate, dataset.condition)) }
        : await eraseFrom(dataset, tokens, options.lockWaitMs ?? 120_000);
      if (erased.rows === 0) continue;
      datasets.push(erased);
      if (dryRun) continue;
      await audit.append({
        action: "erase",
        dataset: erased.dataset,
        rows: erased.rows,
        ...(reason ? { reason } : {}),
        details: {
          ...facts,
          kind: erased.kind,
          columns: erased.columns,
          matches: erased.matches,
          ...(erased.partitions ? { partitions: erased.partitions } : {}),
        },
      });
    } catch (error) {
      failed.push({ dataset: dataset.candidate.dataset, error: messageOf(error) });
    }
  }
  let tombstoned = tokens.size;
  if (!dryRun && tokens.size > 0) {
    tombstoned = await new TokenVault(db, { audit, clock }).tombstone([...tokens], {
      reason: reason ?? `erasure ${id}`,
      actor,
    });
  }

  const rows = datasets.reduce((sum, d) => sum + d.rows, 0);
  const finishedAt = clock.now().toISOString();
  const removed: ErasureRemoved = {
    datasets,
    rows,
    tokens: tombstoned,
    notSearchable: plan.notSearchable,
    ...(failed.length > 0 ? { failed } : {}),
  };
  await finishErasureRecord(db, id, removed, failed.length > 0 ? undefined : finishedAt);
  await audit.append({
    action: "erase.request",
    // A dry run affects no row: what it would remove is a detail, not rows_affected.
    ...(dryRun ? {} : { rows }),
    ...(reason ? { reason } : {}),
    details: {
      ...facts,
      dryRun,
      ...(dryRun ? { wouldRemove: rows } : {}),
      datasets: datasets.map((d) => d.dataset),
      tokens: tombstoned,
      notSearchable: plan.notSearchable.length,
      ...(failed.length > 0 ? { failed: failed.map((f) => f.dataset) } : {}),
    },
  });
  if (failed.length > 0) {
    throw new ErasureError(
      `erasure ${id} removed ${rows} rows but could not finish: ${failed.map((f) => `${f.dataset}: ${f.error}`).join("; ")}; run it again to remove the rest`,
      { details: { erasureId: id, failed } },
    );
  }
  return {
    id,
    subject: plan.subject,
    dryRun,
    requestedBy: actor,
    requestedAt,
    finishedAt,
    datasets,
    rows,
    tokens: tombstoned,
    plan,
  };
}

/** The dataset's columns and matches, as a report lists them. */
function describe(dataset: FoundDataset): Omit<ErasedDataset, "rows" | "partitions"> {
  const { candidate, targets } = dataset;
  return {
    dataset: candidate.dataset,
    kind: candidate.kind,
    columns: [...new Set(targets.map((t) => t.column))],
    matches: [...new Set(targets.map((t) => t.match))],
  };
}

/**
 * Removes the subject's rows from one dataset, adding the tokens in them to `tokens` first
 * (read in the same transaction as the DELETE, so no row leaves with an unseen token).
 */
async function eraseFrom(
  dataset: FoundDataset,
  tokens: Set<string>,
  lockWaitMs: number,
): Promise<ErasedDataset> {
  const { candidate } = dataset;
  const params = new SqlParams();
  const where = dataset.condition(params);
  if (candidate.lake) {
    for (const token of await tokensIn(dataset)) tokens.add(token);
    const result = await candidate.lake.rewritePartitions(where, { params: params.values, lockWaitMs });
    return {
      ...describe(dataset),
      rows: result.rowsRemoved,
      partitions: result.partitions.map((p) => p.path || "(all)"),
    };
  }
  const table = candidate.table!;
  const { engine } = candidate;
  // One writer of the table at a time: warehouse loads queue (DuckDB) or lock (PostgreSQL) the same way.
  const rows = await serialWrites(engine, table, () =>
    engine.transaction(async (tx) => {
      await lockForLoad(tx, table);
      for (const token of await tokensIn(dataset, tx)) tokens.add(token);
      return tx.run(`DELETE FROM ${tx.dialect.quoteTable(table)} WHERE ${where}`, params.values);
    }),
  );
  return { ...describe(dataset), rows };
}
