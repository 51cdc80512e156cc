import type { RecordBatch } from "../../core/batch.js";
import { newId } from "../../core/ids.js";
import type { Schema, TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { DeadLetter, LateEvent } from "../contracts.js";

/**
 * Dead letters and late events of a stream job, kept in the warehouse next to the
 * `quarantine.<dataset>` tables of batch pipelines. Each row is keyed by where its input
 * sat (job, partition, position), so a replayed epoch inserts nothing twice.
 */
export const QUARANTINE_KEY = ["job", "partition", "position"];

/** A job name as part of a table name: `user-events` → `user_events`. */
function tableWord(job: string): string {
  return job.replace(/[^A-Za-z0-9_]/g, "_");
}

/** `quarantine.<job>_dead_letters`. */
export function deadLetterTableOf(job: string): TableRef {
  return { schema: "quarantine", name: `${tableWord(job)}_dead_letters` };
}

/** `quarantine.<job>_late_events`. */
export function lateTableOf(job: string): TableRef {
  return { schema: "quarantine", name: `${tableWord(job)}_late_events` };
}

const KEY_FIELDS: Schema["fields"] = [
  { name: "job", type: "varchar", nullable: false },
  { name: "partition", type: "varchar", nullable: false },
  { name: "position", type: "bigint", nullable: false },
];

export const DEAD_LETTER_SCHEMA: Schema = {
  fields: [
    ...KEY_FIELDS,
    { name: "kind", type: "varchar" },
    { name: "error", type: "varchar" },
    /** The input as received: binary garbage stays binary. */
    { name: "raw", type: "blob" },
    /** When the epoch holding it committed (seconds after it was received). */
    { name: "received_at", type: "timestamptz" },
  ],
};

export const LATE_SCHEMA: Schema = {
  fields: [
    ...KEY_FIELDS,
    { name: "event_time", type: "timestamptz" },
    { name: "watermark", type: "timestamptz" },
    { name: "reason", type: "varchar" },
    { name: "event", type: "json" },
  ],
};

export function deadLetterBatch(job: string, letters: readonly DeadLetter[], at: string): RecordBatch {
  return {
    schema: DEAD_LETTER_SCHEMA,
    columns: [
      letters.map(() => job),
      letters.map((l) => l.partition),
      letters.map((l) => l.position),
      letters.map((l) => l.kind),
      letters.map((l) => storableText(l.error)),
      letters.map((l) => l.raw),
      letters.map(() => at),
    ],
    numRows: letters.length,
  };
}

/**
 * Text as the quarantine tables keep it: a NUL is written `\u0000`. An error may quote the
 * input it failed on (JSON.parse's "Unexpected token … is not valid JSON" does), and binary
 * garbage holds NULs, which PostgreSQL text cannot store: left as they are, one such dead
 * letter would fail every commit of its epoch. The raw bytes keep the original.
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\\u0000") : text;
}

export function lateBatch(job: string, late: readonly LateEvent[]): RecordBatch {
  return {
    schema: LATE_SCHEMA,
    columns: [
      late.map(() => job),
      late.map((e) => e.partition),
      late.map((e) => e.position),
      late.map((e) => isoOrNull(e.eventTime)),
      late.map((e) => isoOrNull(e.watermark)),
      late.map((e) => e.reason),
      late.map((e) => e.event),
    ],
    numRows: late.length,
  };
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * Inserts `batch` into `table` inside the transaction `tx`, leaving out rows whose key the
 * table already holds: bulk-loaded into a temporary stage, then one
 * `INSERT … SELECT … ON CONFLICT (key) DO NOTHING`. `table` has a unique key on `key`.
 */
export async function insertNew(
  tx: Engine,
  table: TableRef,
  batch: RecordBatch,
  key: readonly string[],
): Promise<void> {
  const d = tx.dialect;
  const stage: TableRef = { name: `weir_stage_${newId()}` };
  const columns = batch.schema.fields.map((f) => f.name);
  const list = columns.map((c) => d.quoteIdent(c)).join(", ");
  await tx.createTable(
    stage,
    { fields: batch.schema.fields.map((f) => ({ ...f, nullable: true })) },
    { temporary: true },
  );
  await tx.load(stage, [batch]);
  await tx.run(
    `${d.insertSelect(table, columns, `SELECT ${list} FROM ${d.quoteTable(stage)}`)} ON CONFLICT (${key.map((k) => d.quoteIdent(k)).join(", ")}) DO NOTHING`,
  );
  await tx.run(d.dropTable(stage));
}
