import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { queryShape } from "../../engines/query-shape.js";
import { sqlTypeName } from "../model/column-types.js";
import type { DimensionModel } from "../model/define-dimension.js";
import { hexBitsSql, rowHashSql } from "./row-hash-sql.js";
import { SnapshotLoadError } from "./snapshot-load-error.js";

/** The columns weir adds to a staged snapshot, next to the dimension's attributes. */
export const STAGE = {
  /** DuckDB: 60 bits of an md5 of every attribute (as BIGINT), summed into the content hash. */
  content: "weir_content",
  /** The surrogate key of the key's current version (type 1: its row); NULL when it has none. */
  currentKey: "weir_current_key",
  /** The key has a current version and its tracked columns (type 1: any attribute) differ. */
  changed: "weir_changed",
  /** Type 2: the key has a current version whose SCD1 columns differ. */
  scd1Changed: "weir_scd1_changed",
} as const;

/** A snapshot staged in a temporary table of the load's transaction, with its counts. */
export interface StagedSnapshot {
  table: TableRef;
  rows: number;
  /** Rows whose key has no current version (new keys, and keys that came back). */
  absent: number;
  /** Rows whose key's current version differs (type 2: in its tracked columns). */
  changed: number;
  /** Order-independent hash of the snapshot's rows (every attribute, cast to the model's types). */
  contentHash: string;
}

let stageCount = 0;

/**
 * Stages the snapshot in one `CREATE TEMPORARY TABLE … AS SELECT`: the dimension's
 * attributes cast to their model types (extra input columns are left out; all but the
 * natural key NULL in rows that need no work) and — by one join on the natural key with
 * the current versions — the current version's surrogate key and whether it changed.
 * Every later statement of the merge reads this table, so the snapshot is joined with the
 * dimension once. Then counts, checking the keys (no NULL, no duplicate) in the same scan:
 * a key listing (a GROUP BY of the whole snapshot) runs only when that check fails, to
 * name them; and hashes the content (see {@link snapshotContentHash}). The table
 * is dropped with the transaction on PostgreSQL (`ON COMMIT DROP`) and by
 * {@link dropStage} on DuckDB.
 */
export async function stageSnapshot(
  tx: Engine,
  dim: DimensionModel,
  dimTable: TableRef,
  input: TableRef | { sql: string },
  label: string,
): Promise<StagedSnapshot> {
  const d = tx.dialect;
  const inputSql = "sql" in input ? `(${input.sql})` : d.quoteTable(input);
  await checkInputColumns(tx, dim, inputSql, label);
  const table: TableRef = { name: `weir_snapshot_${process.pid}_${++stageCount}` };
  const select = stageSelect(tx, dim, dimTable, inputSql);
  const create =
    tx.kind === "postgres"
      ? `CREATE TEMPORARY TABLE ${d.quoteIdent(table.name)} ON COMMIT DROP AS ${select}`
      : `CREATE TEMPORARY TABLE ${d.quoteIdent(table.name)} AS ${select}`;
  try {
    await tx.run(create);
  } catch (error) {
    throw new SnapshotLoadError(
      `cannot stage the snapshot for ${label}: ${error instanceof Error ? error.message : String(error)}`,
      { table: label },
      error,
    );
  }
  // PostgreSQL plans the merge's joins from statistics, which a new table lacks.
  if (tx.kind === "postgres") await tx.run(`ANALYZE ${d.quoteIdent(table.name)}`);
  const { keysOk, contentHash, ...counts } = await stageCounts(tx, dim, table);
  if (!keysOk) await checkKeys(tx, dim, table, label);
  return {
    table,
    ...counts,
    contentHash: contentHash ?? (await snapshotContentHash(tx, dim, inputSql, label)),
  };
}

/** Drops the staged table (DuckDB; on PostgreSQL the commit drops it). */
export async function dropStage(tx: Engine, stage: StagedSnapshot): Promise<void> {
  if (tx.kind !== "postgres") await tx.run(`DROP TABLE IF EXISTS ${tx.dialect.quoteIdent(stage.table.name)}`);
}

async function checkInputColumns(tx: Engine, dim: DimensionModel, inputSql: string, label: string) {
  const have = new Set(
    (await queryShape(tx, `SELECT * FROM ${inputSql} AS weir_input`)).fields.map((f) => f.name),
  );
  const missing = dim.attributes.map((a) => a.name).filter((name) => !have.has(name));
  if (missing.length > 0) {
    throw new SnapshotLoadError(
      `the snapshot for ${label} lacks column(s) ${missing.join(", ")} (it has ${[...have].join(", ")})`,
      { table: label, missing },
    );
  }
}

function stageSelect(tx: Engine, dim: DimensionModel, dimTable: TableRef, inputSql: string): string {
  const d = tx.dialect;
  const q = (name: string) => d.quoteIdent(name);
  const col = (alias: string, name: string) => `${alias}.${q(name)}`;
  const names = dim.attributes.map((a) => a.name);
  const differ = (columns: readonly string[]) =>
    columns.length === 0
      ? "FALSE"
      : `(${columns.map((c) => `${col("h", c)} IS DISTINCT FROM ${col("c", c)}`).join(" OR ")})`;
  const sk = col("c", dim.surrogateKey);
  // Type 2 compares the tracked columns themselves with the current version's: the same
  // answer as comparing their hashes (the canonical text is one-to-one), without an md5 per
  // row; the hash is computed for the new versions only.
  const changed =
    dim.scdType === 2 ? differ(dim.tracked) : differ(names.filter((n) => !dim.naturalKey.includes(n)));
  const flagNames: string[] = [STAGE.changed, ...(dim.scdType === 2 ? [STAGE.scd1Changed] : [])];
  const flags = [
    `(${sk} IS NOT NULL AND ${changed}) AS ${q(STAGE.changed)}`,
    ...(dim.scdType === 2 ? [`(${sk} IS NOT NULL AND ${differ(dim.scd1)}) AS ${q(STAGE.scd1Changed)}`] : []),
  ];
  const on = [
    ...dim.naturalKey.map((k) => `${col("c", k)} = ${col("h", k)}`),
    ...(dim.scdType === 2 ? [col("c", dim.validity.current)] : []),
    ...(dim.unknownMember ? [`${sk} <> ${d.quoteLiteral(dim.unknownMember.key)}`] : []),
  ];
  // PostgreSQL pulls a plain subquery up into its parent, pasting each of its expressions
  // wherever the parent names the column: the comparisons would run again in every CASE
  // below. OFFSET 0 keeps the join a level of its own, so each runs once per row (DuckDB
  // keeps levels anyway).
  const fence = tx.kind === "postgres" ? " OFFSET 0" : "";
  const joined =
    `SELECT h.*, ${sk} AS ${q(STAGE.currentKey)}, ${flags.join(", ")} FROM (${hashedSelect(tx, dim, inputSql)}) AS h ` +
    `LEFT JOIN ${d.quoteTable(dimTable)} AS c ON ${on.join(" AND ")}${fence}`;
  // Most rows of a daily snapshot need no work: they keep only their key, current version
  // and flags, so the stage stays narrow (PostgreSQL writes and reads it several times).
  const work = [`${col("j", STAGE.currentKey)} IS NULL`, ...flagNames.map((f) => col("j", f))].join(" OR ");
  const forWork = names.filter((n) => !dim.naturalKey.includes(n));
  const kept = [
    ...dim.naturalKey.map((k) => col("j", k)),
    ...forWork.map((c) => `CASE WHEN ${work} THEN ${col("j", c)} END AS ${q(c)}`),
    ...[...(hashInStage(tx) ? [STAGE.content] : []), STAGE.currentKey, ...flagNames].map((c) => col("j", c)),
  ];
  return `SELECT ${kept.join(", ")} FROM (${joined}) AS j`;
}

/**
 * Where the content hash is computed: DuckDB, as a column of the stage (summed with the
 * counts); PostgreSQL, by an aggregate of its own (see {@link snapshotContentHash}).
 */
const hashInStage = (tx: Engine) => tx.kind === "duckdb";

/** 60 bits of the md5 of a row's attributes (`s.<name>`), as a BIGINT: summed into the content hash. */
function contentBitsSql(tx: Engine, dim: DimensionModel): string {
  const values = dim.attributes.map((a) => ({ sql: `s.${tx.dialect.quoteIdent(a.name)}`, type: a.type }));
  return hexBitsSql(tx.kind, rowHashSql(tx.kind, values), 1);
}

/** The cast input, with the content bits on DuckDB. */
function hashedSelect(tx: Engine, dim: DimensionModel, inputSql: string): string {
  const cast = castSelect(tx, dim, inputSql);
  if (!hashInStage(tx)) return cast;
  return `SELECT s.*, ${contentBitsSql(tx, dim)} AS ${tx.dialect.quoteIdent(STAGE.content)} FROM (${cast}) AS s`;
}

/** The input's rows as the dimension's attributes, cast to their model types. */
function castSelect(tx: Engine, dim: DimensionModel, inputSql: string): string {
  const casts = dim.attributes.map(
    (a) =>
      `CAST(i.${tx.dialect.quoteIdent(a.name)} AS ${sqlTypeName(tx.kind, a.type)}) AS ${tx.dialect.quoteIdent(a.name)}`,
  );
  return `SELECT ${casts.join(", ")} FROM ${inputSql} AS i`;
}

/**
 * The snapshot's content hash, `v1:<rows>:<sum>`: the sum of 60 bits of each row's md5 of
 * every attribute (cast to its model type; `rowHashSql`), so equal on both engines whatever
 * the row order. On PostgreSQL one aggregate over the input of its own, in the load's
 * transaction: an md5 per row costs less than half there of what it costs as a column of
 * the stage (300k rows: 0.5 s against 1.1 s); DuckDB hashes in the stage. The input is read twice (here and by the stage):
 * on PostgreSQL, where each statement sees what is committed when it starts, an input
 * another session changes during the load could be hashed and staged with different rows,
 * so stage a snapshot before loading it (as a snapshot is anyway).
 */
async function snapshotContentHash(
  tx: Engine,
  dim: DimensionModel,
  inputSql: string,
  label: string,
): Promise<string> {
  const bits = contentBitsSql(tx, dim);
  try {
    const [r] = await tx.query<{ n: unknown; h: string }>(
      `SELECT count(*) AS n, CAST(coalesce(sum(${bits}), 0) AS VARCHAR) AS h FROM (${castSelect(tx, dim, inputSql)}) AS s`,
    );
    return `v1:${Number(r!.n)}:${r!.h}`;
  } catch (error) {
    throw new SnapshotLoadError(
      `cannot read the snapshot for ${label}: ${error instanceof Error ? error.message : String(error)}`,
      { table: label },
      error,
    );
  }
}

/** At most this many offending keys are named in an error. */
const KEYS_SHOWN = 5;

/**
 * Fails on a NULL natural key or a key that occurs more than once, naming up to 5 and the
 * count. Run when the cheap check of {@link stageCounts} found one of them.
 */
async function checkKeys(tx: Engine, dim: DimensionModel, stage: TableRef, label: string): Promise<void> {
  const q = (name: string) => tx.dialect.quoteIdent(name);
  const keys = dim.naturalKey.map(q);
  const nullKey = dim.naturalKey.map((k) => `${q(k)} IS NULL`).join(" OR ");
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT ${keys.map((k, i) => `CAST(${k} AS VARCHAR) AS k${i}`).join(", ")}, n, null_key,
       count(*) OVER () AS groups, sum(CASE WHEN null_key THEN n ELSE 0 END) OVER () AS null_rows
     FROM (SELECT ${keys.join(", ")}, count(*) AS n, (${nullKey}) AS null_key
           FROM ${tx.dialect.quoteTable(stage)} GROUP BY ${keys.join(", ")}
           HAVING count(*) > 1 OR ${nullKey}) AS g
     ORDER BY null_key DESC, ${keys.join(", ")} LIMIT ${KEYS_SHOWN}`,
  );
  const first = rows[0];
  if (!first) return;
  const keyText = (r: Record<string, unknown>) => {
    const parts = dim.naturalKey.map((_, i) => (r[`k${i}`] === null ? "NULL" : String(r[`k${i}`])));
    return parts.length === 1 ? parts[0]! : `(${parts.join(", ")})`;
  };
  const keyName = dim.naturalKey.join(", ");
  if (first.null_key) {
    throw new SnapshotLoadError(
      `the snapshot for ${label} has ${Number(first.null_rows)} row(s) with a NULL natural key (${keyName})`,
      { table: label, nullRows: Number(first.null_rows) },
    );
  }
  const duplicates = Number(first.groups);
  const shown = rows.map((r) => `${keyText(r)} ×${Number(r.n)}`);
  throw new SnapshotLoadError(
    `the snapshot for ${label} has ${duplicates} natural key(s) (${keyName}) on more than one row: ${shown.join(", ")}${duplicates > shown.length ? ", …" : ""}`,
    { table: label, duplicateKeys: duplicates, keys: rows.map(keyText) },
  );
}

/**
 * The stage's counts, and whether its keys are fine: no row with a NULL
 * key column, and as many distinct keys as rows (`count(DISTINCT …)`, a sort of the keys
 * on PostgreSQL: cheaper than grouping them, and no scan of its own).
 */
async function stageCounts(tx: Engine, dim: DimensionModel, stage: TableRef) {
  const q = (name: string) => tx.dialect.quoteIdent(name);
  const keys = dim.naturalKey.map(q);
  const key = keys.length === 1 ? keys[0]! : `(${keys.join(", ")})`;
  const [r] = await tx.query<Record<string, unknown>>(
    `SELECT count(*) AS n,
       count(*) FILTER (WHERE ${q(STAGE.currentKey)} IS NULL) AS absent,
       count(*) FILTER (WHERE ${q(STAGE.changed)}) AS changed,
       count(*) FILTER (WHERE ${keys.map((k) => `${k} IS NULL`).join(" OR ")}) AS null_keys,
       count(DISTINCT ${key}) AS keys${hashInStage(tx) ? `, CAST(coalesce(sum(${q(STAGE.content)}), 0) AS VARCHAR) AS h` : ""}
     FROM ${tx.dialect.quoteTable(stage)}`,
  );
  const rows = Number(r!.n);
  return {
    keysOk: Number(r!.null_keys) === 0 && Number(r!.keys) === rows,
    rows,
    absent: Number(r!.absent),
    changed: Number(r!.changed),
    // Rows and the sum of 60 bits of each row's md5: equal on both engines, whatever the row order.
    contentHash: hashInStage(tx) ? `v1:${rows}:${r!.h}` : undefined,
  };
}
