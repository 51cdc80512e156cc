import type { Engine } from "../engines/engine.js";
import type { Outcome, StreamPlan } from "./expectations/expectation-definition.js";
import { mapOutcome } from "./expectations/map-outcome.js";

/** Verdicts remembered per distinct value text, so repeated values are judged once. */
const MEMO_LIMIT = 10_000;

/**
 * Runs a {@link StreamPlan}: ONE read-only query streams the column (inside row_condition)
 * in the engine's scan order, batch by batch, and each non-NULL value is judged in JS —
 * memory holds one batch and the first `keep` unexpected values, never the column. The
 * counts and values are a map expectation's evidence, so result formats apply as to any
 * other. A judge that throws fails the expectation, naming the row and its value.
 */
export async function runStreamPass(
  engine: Engine,
  from: string,
  plan: StreamPlan,
  rowCondition: unknown,
  keep: number,
  indexColumns: readonly string[] = [],
): Promise<Outcome> {
  const where = typeof rowCondition === "string" ? ` WHERE COALESCE((${rowCondition}), FALSE)` : "";
  // The identifying columns come along, read by position (no alias a column could capture).
  const extra = indexColumns.map((c) => `, ${engine.dialect.quoteIdent(c)}`).join("");
  const judge = plan.judge();
  const memo = new Map<string, boolean>();
  const counts = { element: 0, missing: 0, unexpected: 0 };
  const values: unknown[] = [];
  const index: Record<string, unknown>[] = [];
  // The newline ends a comment a query target may close with.
  for await (const batch of engine.stream(`SELECT ${plan.value.sql}${extra} FROM ${from}\n${where}`)) {
    const column = batch.columns[0] ?? [];
    for (let i = 0; i < batch.numRows; i++) {
      counts.element++;
      const value = column[i];
      if (value === null || value === undefined) {
        counts.missing++;
        continue;
      }
      const key = typeof value === "string" ? value : JSON.stringify(value);
      let bad = memo.get(key);
      if (bad === undefined) {
        try {
          bad = judge(value);
        } catch (error) {
          const shown = key.length > 80 ? `${key.slice(0, 77)}…` : key;
          throw new Error(
            `row ${counts.element} (value ${JSON.stringify(shown)}): ${(error as Error).message}`,
          );
        }
        if (memo.size < MEMO_LIMIT) memo.set(key, bad);
      }
      if (!bad) continue;
      counts.unexpected++;
      if (values.length >= keep) continue;
      values.push(value);
      if (indexColumns.length > 0) {
        const row: Record<string, unknown> = {};
        indexColumns.forEach((c, k) => {
          row[c] = batch.columns[k + 1]?.[i] ?? null;
        });
        index.push(plan.value.name === undefined ? row : { ...row, [plan.value.name]: value });
      }
    }
  }
  const outcome = mapOutcome(counts, values, { mostly: plan.mostly });
  if (outcome.evidence && indexColumns.length > 0) outcome.evidence.index = index;
  return outcome;
}
