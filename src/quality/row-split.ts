import { newId } from "../core/ids.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { FAILED_CHECKS_COLUMN, FAILED_REASONS_COLUMN } from "./row-checks.js";
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
 * `aggregates` ride along in the same scan.
 */
export async function splitRows(
  engine: Engine,
  target: CheckTarget,
  columns: readonly string[],
  rules: readonly RowRule[],
  split?: { passed: TableRef; failed: TableRef },
  /** More aggregates over the target's columns (metrics, MAX for freshness), computed in the same scan. */
  aggregates: readonly string[] = [],
): Promise<RowSplitResult> {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const flag = (i: number) => q(`_weir_fail_${i}`);
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
  return engine.transaction(async (tx) => {
    // The flags are computed once (window predicates are the costly part); names and
    // reasons only for the failing rows, which are few.
    const temp = q(`_weir_split_${newId()}`);
    await tx.run(
      `CREATE TEMPORARY TABLE ${temp} AS SELECT ${cols}${rules.map((_, i) => `, ${flag(i)}`).join("")} FROM ${flagged}`,
    );
    for (const table of [split.passed, split.failed]) {
      if (table.schema) await tx.run(d.createSchema(table.schema));
      await tx.run(d.dropTable(table));
    }
    await tx.run(
      `CREATE TABLE ${d.quoteTable(split.passed)} AS SELECT ${cols} FROM ${temp} WHERE NOT (${quarantines})`,
    );
    const failedSelect =
      quarantineIdx.length === 0
        ? `SELECT ${cols}, '' AS ${q(FAILED_CHECKS_COLUMN)}, '' AS ${q(FAILED_REASONS_COLUMN)} FROM ${temp} WHERE FALSE`
        : `SELECT ${cols}, ${list(names)} AS ${q(FAILED_CHECKS_COLUMN)}, ${list(reasons)} AS ${q(FAILED_REASONS_COLUMN)} FROM ${temp} WHERE ${quarantines}`;
    await tx.run(`CREATE TABLE ${d.quoteTable(split.failed)} AS ${failedSelect}`);
    const [row] = await tx.query(
      counts(temp, `, SUM(CASE WHEN ${quarantines} THEN 1 ELSE 0 END) AS ${q("quarantined")}`),
    );
    await tx.run(`DROP TABLE ${temp}`);
    return read(row);
  });
}
