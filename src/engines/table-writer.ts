import type { WriteInput, WriteMode, WriteResult } from "../connectors/sink.js";
import { noteDataset, withoutObserver } from "../core/activity-scope.js";
import type { RecordBatch } from "../core/batch.js";
import { ConfigError, EngineError, WeirError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import { createTarget } from "./create-target.js";
import type { Engine } from "./engine.js";
import { peekBatches } from "./peek-batches.js";
import { queryShape } from "./query-shape.js";
import { applySchemaChange, type OnSchemaChange, schemaChangePolicy } from "./schema-change.js";
import { serialWrites } from "./serial-writes.js";
import { ensureUpsertKey, keyRaceRetryable } from "./upsert-key.js";
import { dedupeByKey, keysUniqueAndSet, SEQ, withSequence } from "./write-stage.js";

export interface WriteTableOptions {
  mode: WriteMode;
  /** Key columns for `upsert`; also the primary key when the target is created. */
  key?: string[];
  /** Partition columns for `overwrite-partition` (NULL matches NULL); the lake's option has the same name. */
  partitionBy?: string[];
  /** @deprecated the old name of `partitionBy`; still read when `partitionBy` is not given. */
  partitionColumns?: string[];
  /**
   * The table's schema when it is created, and for `overwrite` the schema it is given when it
   * differs (the contract); defaults to the input's.
   */
  schema?: Schema;
  /**
   * When the input's columns differ from the existing table's: `overwrite` replaces the
   * table's schema by default (`"replace"`), or fails naming the drift (`"fail"`); the
   * other modes keep the table's schema (`"ignore"`, values cast to its types), fail, or
   * add the new columns (`"append_new_columns"`). See `OnSchemaChange`.
   */
  onSchemaChange?: OnSchemaChange;
}

/** The partition columns of a write, from `partitionBy` or its deprecated alias. */
export function partitionColumnsOf(
  options: Pick<WriteTableOptions, "partitionBy" | "partitionColumns">,
): string[] {
  return options.partitionBy ?? options.partitionColumns ?? [];
}

/**
 * Writes `input` into `target` with a write mode, inside ONE transaction: a failure at any
 * step leaves the target's rows exactly as they were (an upsert may have given the table
 * the unique key it needs, beforehand; see below).
 *
 * - creates the target when missing (from `options.schema`, else the input's schema);
 * - `append` adds rows; `overwrite` replaces all rows — and the table's schema when the
 *   input's differs (dropped and created again, its unique keys kept), or fails naming the
 *   difference with `onSchemaChange: "fail"` (see `OnSchemaChange` for the other modes);
 * - `overwrite-partition` replaces every partition present in the input;
 * - `upsert` updates rows whose key matches and inserts the rest, in one
 *   `INSERT … ON CONFLICT (key)`, so concurrent upserts (other runs, other processes) of
 *   overlapping keys never duplicate a key. The target needs a unique key on exactly the
 *   key columns: a created target gets it as primary key, an existing one without it gets
 *   a unique index, or a clear refusal when its rows already repeat a key. Input rows are
 *   de-duplicated by key first (the last one wins), and NULL keys are refused.
 *
 * Concurrent writers: a write that loses a race with another transaction (DuckDB's write
 * conflicts, a PostgreSQL serialization failure or deadlock, two first writes creating one
 * table) is retried when its input is SQL on the same engine, which can be run again;
 * streamed batches cannot be, so on DuckDB — whose writers conflict instead of waiting —
 * writes to one table are queued in-process, and on PostgreSQL a lost CREATE TABLE race is
 * undone under a savepoint and the winner's table used.
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
  const partitions = partitionColumnsOf(options);
  schemaChangePolicy(options.mode, options.onSchemaChange, label);
  if (options.mode === "upsert" && key.length === 0) {
    throw new ConfigError(`writing ${label} with mode "upsert" needs key columns (options.key)`);
  }
  if (options.mode === "overwrite-partition" && partitions.length === 0) {
    throw new ConfigError(
      `writing ${label} with mode "overwrite-partition" needs partition columns (options.partitionBy)`,
    );
  }
  // SQL on the same engine can be replayed, so a write that lost a race with another
  // transaction is tried again; streamed input cannot be.
  const replayable = "sql" in input && input.engine === engine;
  // The write's own statements (staging, merge) are not the data flow; lineage gets the
  // target and the SELECT that fed it instead.
  const result = await withoutObserver(() =>
    serialWrites(engine, target, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          // Outside the write's transaction: see ensureUpsertKey on why.
          const keyed = options.mode === "upsert" && (await ensureUpsertKey(engine, target, key));
          return await writeOnce(engine, target, input, options, keyed);
        } catch (error) {
          const retry = replayable && error instanceof WeirError && error.retryable;
          if (!retry || attempt >= CONFLICT_ATTEMPTS) throw error;
          // Exponential with jitter: the other writer's transaction may take a while to commit.
          await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * (0.5 + Math.random())));
        }
      }
    }),
  );
  noteDataset({
    direction: "output",
    kind: "table",
    name: label,
    engine,
    rows: result.rowsWritten,
    ...("sql" in input
      ? { sourceSql: input.sql, ...(input.engine === engine ? {} : { sourceEngine: input.engine }) }
      : {}),
  });
  return result;
}

/** How often a replayable write that hit a transient conflict is tried in all. */
const CONFLICT_ATTEMPTS = 7;

async function writeOnce(
  engine: Engine,
  target: TableRef,
  input: WriteInput,
  options: WriteTableOptions,
  /** The target already has its upsert key (checked just before the transaction). */
  keyed: boolean,
): Promise<WriteResult> {
  const label = tableLabel(target);
  const key = options.key ?? [];
  const partitions = partitionColumnsOf(options);
  const local = "sql" in input && input.engine === engine ? input : undefined;
  const batches =
    "batches" in input ? input.batches : local ? undefined : input.engine.stream(input.sql, input.params);

  return engine.transaction(async (tx) => {
    let data: Schema | undefined;
    let rest: AsyncIterable<RecordBatch> | undefined;
    if (batches) {
      const peeked = await peekBatches(batches);
      data = peeked.first?.schema ?? options.schema;
      rest = peeked.all;
    } else if (local) {
      data = await queryShape(tx, local.sql, local.params);
    }
    let existing = await tx.describe(target);
    let created = false;
    if (!existing) {
      const schema = options.schema ?? data;
      if (!schema) return { rowsWritten: 0 };
      const primaryKey = options.mode === "upsert" ? key : undefined;
      ({ schema: existing, created } = await createTarget(
        tx,
        target,
        schema,
        primaryKey ? { primaryKey } : {},
      ));
    }
    // A target missing before the transaction may have been created without a key by
    // another writer since.
    if (!created && !keyed && options.mode === "upsert") await ensureUpsertKey(tx, target, key);
    let replaced = false;
    if (!created) {
      ({ schema: existing, replaced } = await applySchemaChange(
        tx,
        target,
        existing,
        options.schema ?? data,
        options,
      ));
    }
    const known = new Set(existing.fields.map((f) => f.name));
    const columns = (data ?? existing).fields.map((f) => f.name);
    const unknown = columns.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new EngineError(
        "SCHEMA_MISMATCH",
        `cannot write ${label}: it has no column ${unknown.map((c) => JSON.stringify(c)).join(", ")}; its columns are ${[...known].map((c) => JSON.stringify(c)).join(", ")} (onSchemaChange: "append_new_columns" adds new columns)`,
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
      if (options.mode === "overwrite" && !replaced)
        await tx.run(`DELETE FROM ${tx.dialect.quoteTable(target)}`);
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
    for (const sql of statements) {
      await tx.run(sql).catch((error: unknown) => {
        throw options.mode === "upsert" ? keyRaceRetryable(error, key) : error;
      });
    }
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
