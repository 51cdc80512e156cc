import type { WriteInput, WriteMode, WriteResult } from "../connectors/sink.js";
import type { RecordBatch } from "../core/batch.js";
import { ConfigError, EngineError, WeirError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "./engine.js";
import { queryShape } from "./query-shape.js";

export interface WriteTableOptions {
  mode: WriteMode;
  /** Key columns for `upsert`; also the primary key when the target is created. */
  key?: string[];
  /** Partition columns for `overwrite-partition` (NULL matches NULL). */
  partitionColumns?: string[];
  /** Schema for creating a missing target; defaults to the input's. */
  schema?: Schema;
}

/** The ordinal column staged rows carry so "last row wins" is well defined. */
const SEQ = "weir_seq";

/**
 * Writes `input` into `target` with a write mode, inside ONE transaction: a failure at any
 * step leaves the target exactly as it was.
 *
 * - creates the target when missing (from `options.schema`, else the input's schema);
 * - `append` adds rows; `overwrite` replaces all rows (the table and its constraints stay);
 * - `overwrite-partition` replaces every partition present in the input;
 * - `upsert` updates rows whose key matches and inserts the rest. Input rows are
 *   de-duplicated by key first (the last one wins), and NULL keys are refused.
 *
 * Batches are bulk-loaded (appender / COPY); SQL on the same engine runs in place with no
 * round trip through JS; SQL on another engine is streamed across.
 *
 * @example
 * await writeTable(engine, { schema: "dw", name: "customers" }, { batches }, { mode: "upsert", key: ["id"] });
 */
export async function writeTable(
  engine: Engine,
  target: TableRef,
  input: WriteInput,
  options: WriteTableOptions,
): Promise<WriteResult> {
  const label = tableLabel(target);
  const key = options.key ?? [];
  const partitions = options.partitionColumns ?? [];
  if (options.mode === "upsert" && key.length === 0) {
    throw new ConfigError(`writing ${label} with mode "upsert" needs key columns (options.key)`);
  }
  if (options.mode === "overwrite-partition" && partitions.length === 0) {
    throw new ConfigError(`writing ${label} with mode "overwrite-partition" needs partition columns`);
  }
  const local = "sql" in input && input.engine === engine ? input : undefined;
  if (local) {
    // SQL on the same engine can be replayed, so a write that lost a race with another
    // transaction (DuckDB's catalog write-write conflict when two runs create the same
    // table, a PostgreSQL serialization failure) is tried again; streamed input cannot be.
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeOnce(engine, target, input, options);
      } catch (error) {
        if (!(error instanceof WeirError) || !error.retryable || attempt >= CONFLICT_ATTEMPTS) throw error;
        // Exponential with jitter: the other writer's transaction may take a while to commit.
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }
  return writeOnce(engine, target, input, options);
}

/** How often a replayable write that hit a transient conflict is tried in all. */
const CONFLICT_ATTEMPTS = 7;

async function writeOnce(
  engine: Engine,
  target: TableRef,
  input: WriteInput,
  options: WriteTableOptions,
): Promise<WriteResult> {
  const label = tableLabel(target);
  const key = options.key ?? [];
  const partitions = options.partitionColumns ?? [];
  const local = "sql" in input && input.engine === engine ? input : undefined;
  const batches =
    "batches" in input ? input.batches : local ? undefined : input.engine.stream(input.sql, input.params);

  return engine.transaction(async (tx) => {
    let data: Schema | undefined;
    let rest: AsyncIterable<RecordBatch> | undefined;
    if (batches) {
      const peeked = await peek(batches);
      data = peeked.first?.schema ?? options.schema;
      rest = peeked.all;
    } else if (local) {
      data = await queryShape(tx, local.sql, local.params);
    }
    let existing = await tx.describe(target);
    const created = !existing;
    if (!existing) {
      const schema = options.schema ?? data;
      if (!schema) return { rowsWritten: 0 };
      const primaryKey = options.mode === "upsert" ? key : undefined;
      await tx.createTable(target, schema, primaryKey ? { primaryKey } : {});
      existing = schema;
    }
    const known = new Set(existing.fields.map((f) => f.name));
    const columns = (data ?? existing).fields.map((f) => f.name);
    const unknown = columns.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new EngineError(
        "SCHEMA_MISMATCH",
        `cannot write ${label}: it has no column ${unknown.map((c) => JSON.stringify(c)).join(", ")}; its columns are ${[...known].map((c) => JSON.stringify(c)).join(", ")}`,
        { details: { table: label, unknownColumns: unknown } },
      );
    }
    for (const c of [...key, ...partitions]) {
      if (!columns.includes(c)) {
        throw new ConfigError(
          `cannot write ${label}: key or partition column ${JSON.stringify(c)} is not in the input`,
        );
      }
    }

    if (options.mode === "append" || options.mode === "overwrite") {
      if (options.mode === "overwrite") await tx.run(`DELETE FROM ${tx.dialect.quoteTable(target)}`);
      if (rest) return { rowsWritten: await tx.load(target, rest) };
      const sql = tx.dialect.insertSelect(target, columns, selectFrom(tx, local!.sql, columns));
      return { rowsWritten: await tx.run(sql, local!.params) };
    }

    // The first load of an upsert target from SQL on this engine: when the input has no NULL
    // and no repeated key (one aggregate scan says so), there is nothing to dedupe or to
    // update, so the rows go straight in — no stage holding a full copy of the input.
    if (created && options.mode === "upsert" && local) {
      const unique = await keysUniqueAndSet(tx, local.sql, local.params, key);
      if (unique) {
        const sql = tx.dialect.insertSelect(target, columns, selectFrom(tx, local.sql, columns));
        return { rowsWritten: await tx.run(sql, local.params) };
      }
    }

    // A temporary stage: it lives only inside this transaction's connection, so its rows are
    // never written to the database file (nor its WAL) just to be read once and dropped.
    const stage: TableRef = { name: `weir_stage_${newId()}` };
    const stageFields = (data ?? existing).fields.filter((f) => columns.includes(f.name));
    await tx.createTable(
      stage,
      { fields: [...stageFields.map((f) => ({ ...f, nullable: true })), { name: SEQ, type: "bigint" }] },
      { temporary: true },
    );
    if (rest) {
      await tx.load(stage, withSequence(rest));
    } else {
      const q = tx.dialect;
      const select = `SELECT ${quoteList(tx, columns)}, row_number() OVER () FROM (${local!.sql}) AS weir_q`;
      await tx.run(q.insertSelect(stage, [...columns, SEQ], select), local!.params);
    }
    let statements: string[];
    if (created) {
      // A table created just now has no rows to update or partitions to replace: one insert
      // (an initial load otherwise pays a join against an empty table per statement).
      if (options.mode === "upsert") await dedupeByKey(tx, stage, key, label);
      statements = [
        tx.dialect.insertSelect(
          target,
          columns,
          `SELECT ${quoteList(tx, columns)} FROM ${tx.dialect.quoteTable(stage)}`,
        ),
      ];
    } else if (options.mode === "upsert") {
      await dedupeByKey(tx, stage, key, label);
      statements = tx.dialect.upsert(target, stage, columns, key);
    } else {
      statements = tx.dialect.overwritePartitions(target, stage, columns, partitions);
    }
    const counted = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${tx.dialect.quoteTable(stage)}`,
    );
    for (const sql of statements) await tx.run(sql);
    await tx.run(tx.dialect.dropTable(stage));
    return { rowsWritten: Number(counted[0]?.n ?? 0) };
  });
}

function selectFrom(engine: Engine, sql: string, columns: readonly string[]): string {
  return `SELECT ${quoteList(engine, columns)} FROM (${sql}) AS weir_q`;
}

function quoteList(engine: Engine, columns: readonly string[]): string {
  return columns.map((c) => engine.dialect.quoteIdent(c)).join(", ");
}

/**
 * True when no input row has a NULL key column and no two rows share a key (an empty input
 * is neither, and takes the staged path).
 */
async function keysUniqueAndSet(
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
async function dedupeByKey(
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
async function* withSequence(batches: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
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

/** Reads the first batch (for its schema) and returns an iterable that still yields every batch. */
async function peek(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): Promise<{ first: RecordBatch | undefined; all: AsyncIterable<RecordBatch> }> {
  const it =
    Symbol.asyncIterator in batches
      ? (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]()
      : (batches as Iterable<RecordBatch>)[Symbol.iterator]();
  const head = await it.next();
  const first = head.done ? undefined : head.value;
  async function* all(): AsyncGenerator<RecordBatch> {
    if (first) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { first, all: all() };
}
