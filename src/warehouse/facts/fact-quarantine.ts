import { retryCreateRace } from "../../engines/create-race.js";
import type { Engine } from "../../engines/engine.js";
import { QUALITY_SQL } from "../../quality/engine-sql.js";
import { QUARANTINE_SCHEMA, quarantineTable } from "../../quality/quarantine.js";
import type { FactModel } from "../model/define-fact.js";
import { type FactInput, inputColumns, inputRelation, requiredColumns } from "./fact-load-sql.js";

/** Who quarantines: the run and logical date the rows are filed under (see `quarantine.ts`). */
export interface FactQuarantineRun {
  runId: string;
  /** yyyy-mm-dd: a load under the same logical date replaces the rows an earlier one quarantined. */
  logicalDate: string;
}

/** The pipeline step fact loads file their refused rows under. */
export const FACT_LOAD_STAGE = "load";

/** `quarantine.<fact name>`, created race-free (before the load's transaction). */
export async function ensureFactQuarantine(engine: Engine, fact: FactModel): Promise<void> {
  const table = quarantineTable(fact.name);
  await retryCreateRace(() => engine.createTable(table, QUARANTINE_SCHEMA, { ifNotExists: true }));
}

/**
 * Moves the input rows that cannot be loaded (NULL in a grain, as-of, loadBy, partition
 * or NOT NULL column) into `quarantine.<fact name>`, engine-side, as the quality quarantine files them:
 * check `not_null(<column>)` per NULL column (`; `-joined), a reason naming the columns,
 * location the fact table, the input row as JSON. First removes what an earlier load filed
 * under the same run's logical date and stage (with `replace`), so re-loading is idempotent. Returns the
 * rows quarantined. Runs on `tx`, inside the load's transaction.
 */
export async function quarantineUnloadable(
  tx: Engine,
  fact: FactModel,
  input: FactInput,
  run: FactQuarantineRun,
  location: string,
  options: { replace: boolean },
): Promise<number> {
  const d = tx.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const table = quarantineTable(fact.name);
  if (options.replace) {
    await tx.run(
      `DELETE FROM ${d.quoteTable(table)} WHERE ${q("logical_date")} = CAST($1 AS DATE) AND ${q("stage")} = $2`,
      [run.logicalDate, FACT_LOAD_STAGE],
    );
  }
  const required = requiredColumns(fact);
  const when = (c: string, text: string) => `CASE WHEN ${q(c)} IS NULL THEN ${d.quoteLiteral(text)} END`;
  const check = `concat_ws('; ', ${required.map((c) => when(c, `not_null(${c})`)).join(", ")})`;
  const reason =
    `concat_ws('; ', ${required.map((c) => when(c, `${c} is NULL`)).join(", ")})` +
    ` || ${d.quoteLiteral(`: a row of fact ${fact.name} needs its grain, as-of, loadBy, partition and NOT NULL columns`)}`;
  const record = QUALITY_SQL[tx.kind].jsonObject(
    inputColumns(fact).map((c) => ({ key: d.quoteLiteral(c.name), value: q(c.name) })),
  );
  const text = d.typeName("varchar");
  return tx.run(
    d.insertSelect(
      table,
      QUARANTINE_SCHEMA.fields.map((f) => f.name),
      `SELECT CAST($1 AS ${text}), CAST($2 AS DATE), CAST($3 AS ${text}), CAST($4 AS ${text}), ` +
        `${check}, ${reason}, CAST($5 AS ${text}), CAST(NULL AS BIGINT), CAST(${record} AS ${d.typeName("json")}), ` +
        `CAST($6 AS TIMESTAMPTZ) FROM ${inputRelation(tx, input, fact)} AS _weir_input ` +
        `WHERE ${required.map((c) => `${q(c)} IS NULL`).join(" OR ")}`,
    ),
    [run.runId, run.logicalDate, fact.name, FACT_LOAD_STAGE, location, new Date().toISOString()],
  );
}
