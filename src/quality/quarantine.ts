import type { Rejection } from "../connectors/source.js";
import { noteDataset, withoutObserver } from "../core/activity-scope.js";
import { ConfigError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import { retryCreateRace } from "../engines/create-race.js";
import type { Engine } from "../engines/engine.js";
import { serialWrites } from "../engines/serial-writes.js";
import { QUALITY_SQL } from "./engine-sql.js";
import { FAILED_CHECKS_COLUMN, FAILED_REASONS_COLUMN } from "./row-checks.js";

/** The schema every `quarantine.<dataset>` table has. */
export const QUARANTINE_SCHEMA: Schema = {
  fields: [
    { name: "run_id", type: "varchar", nullable: false },
    { name: "logical_date", type: "date", nullable: false },
    { name: "dataset", type: "varchar", nullable: false },
    /** The pipeline step that refused the row: "extract", "check", … */
    { name: "stage", type: "varchar", nullable: false },
    /** Every check the row failed, `; `-separated, e.g. "matches(email)" or "parse(registration_date)". */
    { name: "check", type: "varchar", nullable: false },
    { name: "reason", type: "varchar", nullable: false },
    /** File, source table or staged table the row was in. */
    { name: "location", type: "varchar" },
    /** 1-based line or row number in `location`, when known. */
    { name: "line", type: "bigint" },
    { name: "record", type: "json" },
    { name: "quarantined_at", type: "timestamptz", nullable: false },
  ],
};

export interface QuarantineTarget {
  /** The dataset the rows were meant for; the table is `quarantine.<dataset>`. */
  dataset: string;
  runId: string;
  /** "YYYY-MM-DD": re-running a date replaces that date's rows for the same stage. */
  logicalDate: string;
  stage: string;
}

export type QuarantineOptions = QuarantineTarget &
  (
    | { rejections: readonly Rejection[] }
    /** A table made by `checkRows` (`failed`), with its `_weir_checks` and `_weir_reasons` columns. */
    | { failed: TableRef; location?: string }
  );

export interface QuarantineResult {
  table: TableRef;
  rows: number;
  /**
   * Rows by the checks they failed. A row failing two checks counts once, under both
   * names joined (`"a; b"`), so the counts add up to `rows`.
   */
  byCheck: Record<string, number>;
}

export function quarantineTable(dataset: string): TableRef {
  return { schema: "quarantine", name: dataset };
}

/** The check name a source rejection is filed under. */
export function rejectionCheck(rejection: Rejection): string {
  return rejection.column ? `parse(${rejection.column})` : "parse";
}

/**
 * Puts rows into `quarantine.<dataset>` with their reason and location, replacing (in one
 * transaction) what an earlier run of the same logical date and stage put there, so
 * re-running a date is idempotent. Check failures move engine-side (INSERT … SELECT);
 * source rejections are few and already in memory, so they are loaded as one batch.
 *
 * @example
 * await quarantine(engine, { dataset: "customers", runId, logicalDate: "2024-01-15", stage: "check", failed });
 */
export async function quarantine(engine: Engine, options: QuarantineOptions): Promise<QuarantineResult> {
  const table = quarantineTable(options.dataset);
  // Shared by every run of the dataset: the first runs of a backfill create it at once, and
  // the sessions that lose that race find it made (PostgreSQL's catalog duplicate, DuckDB's
  // write-write conflict) and go on.
  const result = await withoutObserver(async () => {
    await retryCreateRace(() => engine.createTable(table, QUARANTINE_SCHEMA, { ifNotExists: true }));
    const now = new Date().toISOString();
    // One transaction per (logical date, stage): readers see the old rows or the new, never
    // neither. On DuckDB, writers of the table queue in-process instead of conflicting.
    return serialWrites(engine, table, () => replaceRows(engine, table, options, now));
  });
  noteDataset({ direction: "output", kind: "table", name: tableLabel(table), engine, rows: result.rows });
  return result;
}

async function replaceRows(
  engine: Engine,
  table: TableRef,
  options: QuarantineOptions,
  now: string,
): Promise<QuarantineResult> {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  return engine.transaction(async (tx) => {
    await tx.run(
      `DELETE FROM ${d.quoteTable(table)} WHERE ${q("logical_date")} = CAST($1 AS DATE) AND ${q("stage")} = $2`,
      [options.logicalDate, options.stage],
    );
    if ("rejections" in options) {
      const byCheck: Record<string, number> = {};
      const rows = options.rejections.map((r) => {
        const check = rejectionCheck(r);
        byCheck[check] = (byCheck[check] ?? 0) + 1;
        return [
          options.runId,
          options.logicalDate,
          options.dataset,
          options.stage,
          check,
          r.reason,
          r.location,
          r.line ?? null,
          rejectionRecord(r),
          now,
        ];
      });
      if (rows.length > 0) {
        const columns = QUARANTINE_SCHEMA.fields.map((_, c) => rows.map((row) => row[c]));
        await tx.load(table, [{ schema: QUARANTINE_SCHEMA, columns, numRows: rows.length }]);
      }
      return { table, rows: rows.length, byCheck };
    }
    const source = await tx.describe(options.failed);
    if (!source) {
      throw new ConfigError(`quarantine: table ${tableLabel(options.failed)} does not exist`, {
        details: { table: tableLabel(options.failed) },
      });
    }
    const recordColumns = source.fields.map((f) => f.name).filter((n) => !n.startsWith("_weir_"));
    const record = QUALITY_SQL[engine.kind].jsonObject(
      recordColumns.map((c) => ({ key: d.quoteLiteral(c), value: q(c) })),
    );
    const failed = d.quoteTable(options.failed);
    // Parameters in a SELECT list have no type PostgreSQL can infer: cast them.
    const text = d.typeName("varchar");
    await tx.run(
      d.insertSelect(
        table,
        QUARANTINE_SCHEMA.fields.map((f) => f.name),
        `SELECT CAST($1 AS ${text}), CAST($2 AS DATE), CAST($3 AS ${text}), CAST($4 AS ${text}), ` +
          `${q(FAILED_CHECKS_COLUMN)}, ${q(FAILED_REASONS_COLUMN)}, CAST($5 AS ${text}), CAST(NULL AS BIGINT), ` +
          `CAST(${record} AS ${d.typeName("json")}), CAST($6 AS TIMESTAMPTZ) FROM ${failed}`,
      ),
      [
        options.runId,
        options.logicalDate,
        options.dataset,
        options.stage,
        options.location ?? tableLabel(options.failed),
        now,
      ],
    );
    const counts = await tx.query<{ check: string; n: unknown }>(
      `SELECT ${q(FAILED_CHECKS_COLUMN)} AS ${q("check")}, COUNT(*) AS n FROM ${failed} GROUP BY 1 ORDER BY 1`,
    );
    const byCheck: Record<string, number> = {};
    let total = 0;
    for (const { check, n } of counts) {
      byCheck[check] = Number(n);
      total += Number(n);
    }
    return { table, rows: total, byCheck };
  });
}

/** The raw row as JSON when the source gave one, else the facts of the rejection. */
function rejectionRecord(r: Rejection): string {
  if (r.raw !== undefined) {
    try {
      const parsed: unknown = JSON.parse(r.raw);
      if (typeof parsed === "object" && parsed !== null) return r.raw;
    } catch {
      // Not JSON (a CSV line, say): keep it as text below.
    }
  }
  return JSON.stringify({
    ...(r.raw === undefined ? {} : { raw: r.raw }),
    ...(r.column === undefined ? {} : { column: r.column }),
    ...(r.expected === undefined ? {} : { expected: r.expected }),
    ...(r.value === undefined ? {} : { value: r.value }),
  });
}
