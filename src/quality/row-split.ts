import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { internalNames } from "./internal-names.js";
import { dropTableOrView, FAILED_CHECKS_COLUMN, FAILED_REASONS_COLUMN } from "./row-checks.js";
import { type CheckTarget, fromSql } from "./suite-target.js";

/** A row-level rule: SQL true when a row fails it, and a text expression saying why. */
export interface RowRule {
  name: string;
  /** From `failingRowPredicate`; may use window functions, so it is only ever placed in a select list. */
  predicate: string;
  reason: string;
  /** Failing rows are split off (to be quarantined) rather than only counted. */
  quarantine: boolean;
}

export interface RowSplitResult {
  rowCount: number;
  /** Rows failing at least one rule (quarantine or not). */
  invalidRows: number;
  /** Rows failing at least one quarantine rule, and per rule name. */
  quarantined: number;
  byRule: Record<string, number>;
  /** The values of `aggregates`, in order. */
  aggregates: unknown[];
}

/**
 * Evaluates row rules in one scan of the target. Without `split` it only counts (for the
 * row-level quality score). With `split` it also replaces `split.passed` with the rows
 * that fail no quarantine rule (the target's columns, unchanged) and `split.failed` with
 * the others plus `_weir_checks` / `_weir_reasons` (every quarantine rule each failed,
 * `; `-separated), the shape `quarantine()` files. So passed + failed = rows, exactly.
 * With `split.passedAsView`, `passed` is a view over the target (the same filter) rather
 * than a copy of nearly every row: for a reader that runs before the target changes.
 * `aggregates` ride along in the same scan.
 */
export async function splitRows(
  engine: Engine,
  target: CheckTarget,
  columns: readonly string[],
  rules: readonly RowRule[],
  split?: { passed: TableRef; failed: TableRef; passedAsView?: boolean },
  /** More aggregates over the target's columns (metrics, MAX for freshness), computed in the same scan. */
  aggregates: readonly string[] = [],
): Promise<RowSplitResult> {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  // Named clear of the target's columns, so none can hide a flag (internal-names.ts).
  const own = internalNames(columns);
  const flag = (i: number) => q(own.column(`fail_${i}`));
  const flags = rules.map((r, i) => `COALESCE(${r.predicate}, FALSE) AS ${flag(i)}`);
  const anyFail = rules.length === 0 ? "FALSE" : rules.map((_, i) => flag(i)).join(" OR ");
  const quarantineIdx = rules.flatMap((r, i) => (r.quarantine ? [i] : []));
  const counts = (from: string, extra = "") =>
    `SELECT COUNT(*) AS ${q("n")}, SUM(CASE WHEN ${anyFail} THEN 1 ELSE 0 END) AS ${q("bad")}` +
    rules.map((_, i) => `, SUM(CASE WHEN ${flag(i)} THEN 1 ELSE 0 END) AS ${q(`c${i}`)}`).join("") +
    aggregates.map((a, i) => `, ${a} AS ${q(`a${i}`)}`).join("") +
    `${extra} FROM ${from}`;
  const flagged = `(SELECT *${flags.map((f) => `, ${f}`).join("")} FROM ${fromSql(engine, target)}) AS weir_flagged`;
  const read = (row: Record<string, unknown> | undefined): RowSplitResult => {
    const byRule: Record<string, number> = {};
    rules.forEach((r, i) => {
      byRule[r.name] = Number(row?.[`c${i}`] ?? 0);
    });
    return {
      rowCount: Number(row?.n ?? 0),
      invalidRows: Number(row?.bad ?? 0),
      quarantined: Number(row?.quarantined ?? 0),
      byRule,
      aggregates: aggregates.map((_, i) => row?.[`a${i}`] ?? null),
    };
  };
  if (!split) {
    const [row] = await engine.query(counts(flagged));
    return read(row);
  }
  const names = quarantineIdx.map((i) => `CASE WHEN ${flag(i)} THEN ${d.quoteLiteral(rules[i]!.name)} END`);
  const reasons = quarantineIdx.map((i) => `CASE WHEN ${flag(i)} THEN ${rules[i]!.reason} END`);
  const list = (parts: string[]) => `CONCAT_WS('; ', ${parts.join(", ")})`;
  const quarantines = quarantineIdx.length === 0 ? "FALSE" : quarantineIdx.map(flag).join(" OR ");
  const cols = columns.map(q).join(", ");
  // Only the quarantine rules decide the split; they are evaluated again for each of the two
  // writes, which is far cheaper than staging every row with its flags (a full extra copy,
  // spilled past the memory limit) or deleting from a table created in the same
  // transaction (DuckDB then re-appends every row at commit). Window predicates sit in a
  // select list, never in WHERE.
  const qFlags = quarantineIdx.map((i) => `COALESCE(${rules[i]!.predicate}, FALSE) AS ${flag(i)}`);
  const qFlagged = `(SELECT *${qFlags.map((f) => `, ${f}`).join("")} FROM ${fromSql(engine, target)}) AS weir_flagged`;
  return engine.transaction(async (tx) => {
    for (const table of [split.passed, split.failed]) {
      if (table.schema) await tx.createSchema(table.schema);
      await dropTableOrView(tx, table);
    }
    const [row] = await tx.query(
      counts(flagged, `, SUM(CASE WHEN ${quarantines} THEN 1 ELSE 0 END) AS ${q("quarantined")}`),
    );
    const kind = split.passedAsView ? "VIEW" : "TABLE";
    await tx.run(
      `CREATE ${kind} ${d.quoteTable(split.passed)} AS SELECT ${cols} FROM ${qFlagged} WHERE NOT (${quarantines})`,
    );
    const failedSelect =
      quarantineIdx.length === 0
        ? `SELECT ${cols}, '' AS ${q(FAILED_CHECKS_COLUMN)}, '' AS ${q(FAILED_REASONS_COLUMN)} FROM ${fromSql(engine, target)} WHERE FALSE`
        : `SELECT ${cols}, ${list(names)} AS ${q(FAILED_CHECKS_COLUMN)}, ${list(reasons)} AS ${q(FAILED_REASONS_COLUMN)} FROM ${qFlagged} WHERE ${quarantines}`;
    await tx.run(`CREATE TABLE ${d.quoteTable(split.failed)} AS ${failedSelect}`);
    return read(row);
  });
}
