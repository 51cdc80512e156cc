import type { RecordBatch } from "../core/batch.js";
import { EngineError } from "../core/errors.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "./engine.js";

/** The ordinal column staged rows carry so "last row wins" is well defined. */
export const SEQ = "weir_seq";

function quoteList(engine: Engine, columns: readonly string[]): string {
  return columns.map((c) => engine.dialect.quoteIdent(c)).join(", ");
}

/**
 * True when no input row has a NULL key column and no two rows share a key (an empty input
 * is neither, and takes the staged path).
 */
export async function keysUniqueAndSet(
  tx: Engine,
  sql: string,
  params: readonly unknown[] | undefined,
  key: readonly string[],
): Promise<boolean> {
  const q = tx.dialect;
  const nulls = key.map((k) => `${q.quoteIdent(k)} IS NULL`).join(" OR ");
  const keys = quoteList(tx, key);
  // One scan: GROUP BY puts NULL keys in groups too, so the NULL rows are counted there.
  const rows = await tx.query<{ total: unknown; nulls: unknown; keys: unknown }>(
    `SELECT sum(weir_n) AS total, count(*) AS keys, sum(CASE WHEN ${nulls} THEN weir_n ELSE 0 END) AS nulls ` +
      `FROM (SELECT ${keys}, count(*) AS weir_n FROM (${sql}) AS weir_q GROUP BY ${keys}) AS weir_g`,
    params ?? [],
  );
  const row = rows[0];
  return Number(row?.nulls ?? 1) === 0 && Number(row?.keys ?? -1) === Number(row?.total ?? -2);
}

/** Keeps the last staged row per key; refuses NULL keys, which would never match on a re-run. */
export async function dedupeByKey(
  tx: Engine,
  stage: TableRef,
  key: readonly string[],
  label: string,
): Promise<void> {
  const q = tx.dialect;
  const s = q.quoteTable(stage);
  const nullChecks = key
    .map((k, i) => `count(*) FILTER (WHERE ${q.quoteIdent(k)} IS NULL) AS weir_nulls_${i}`)
    .join(", ");
  const nulls = await tx.query(`SELECT ${nullChecks} FROM ${s}`);
  const counts = Object.values(nulls[0] ?? {}).map(Number);
  const bad = key.filter((_, i) => (counts[i] ?? 0) > 0);
  if (bad.length > 0) {
    throw new EngineError(
      "SCHEMA_MISMATCH",
      `cannot upsert into ${label}: key column ${bad.map((b) => JSON.stringify(b)).join(", ")} is NULL in ${Math.max(...counts)} input row(s); every key must be set`,
      { details: { table: label, column: bad[0] } },
    );
  }
  const seq = q.quoteIdent(SEQ);
  await tx.run(
    `DELETE FROM ${s} WHERE ${seq} IN (SELECT ${seq} FROM (SELECT ${seq}, row_number() OVER (PARTITION BY ${quoteList(tx, key)} ORDER BY ${seq} DESC) AS weir_rn FROM ${s}) AS weir_d WHERE weir_rn > 1)`,
  );
}

/** Adds the staging ordinal column to every batch (columnar: one extra array per batch). */
export async function* withSequence(batches: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  let next = 0;
  for await (const b of batches) {
    const seq = new Array<number>(b.numRows);
    for (let i = 0; i < b.numRows; i++) seq[i] = next++;
    yield {
      schema: { fields: [...b.schema.fields, { name: SEQ, type: "bigint" }] },
      columns: [...b.columns, seq],
      numRows: b.numRows,
    };
  }
}
