import { expect } from "vitest";
import { batchFromRows, type RecordBatch } from "../../src/core/batch.js";
import { messageOf } from "../../src/core/errors.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";
import { writeTable } from "../../src/engines/table-writer.js";

/** How the target looks before the writers start. */
export type UpsertTarget = "keyed" | "unkeyed" | "missing";

export const STRESS_SCHEMA: Schema = {
  fields: [
    { name: "id", type: "integer" },
    { name: "v", type: "varchar" },
  ],
};

const WRITERS = 30;
const CONCURRENCY = 8;
/** Writer i upserts keys [i·STRIDE, i·STRIDE + SPAN): each key is written by up to SPAN/STRIDE writers. */
const STRIDE = 100;
const SPAN = 400;
/** Keys below this are already in the target (value "seed") when it exists. */
const SEEDED = 1000;

function writerKeys(i: number): number[] {
  return Array.from({ length: SPAN }, (_, k) => i * STRIDE + k);
}

/** Two batches per writer, so the input really streams. */
async function* writerBatches(i: number): AsyncGenerator<RecordBatch> {
  const rows = writerKeys(i).map((id) => ({ id, v: `w${i}` }));
  yield batchFromRows(STRESS_SCHEMA, rows.slice(0, SPAN / 2));
  await new Promise((resolve) => setImmediate(resolve));
  yield batchFromRows(STRESS_SCHEMA, rows.slice(SPAN / 2));
}

/** Runs `tasks` with at most `limit` in flight; returns every failure instead of stopping at the first. */
async function runLimited(tasks: (() => Promise<unknown>)[], limit: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error) => failures.push(messageOf(error).split("\n")[0]!));
    }
  }
  await Promise.all(Array.from({ length: limit }, lane));
  return failures;
}

/**
 * The scenario: 30 upserts of overlapping key sets into one table, 8 at a time,
 * half of them streamed batches (not replayable) and half SQL on the same engine. Every
 * write must succeed and leave exactly one row per key, whose value comes from a writer
 * that wrote that key.
 */
export async function upsertStressRound(
  engine: Engine,
  target: TableRef,
  source: TableRef,
  shape: UpsertTarget,
): Promise<void> {
  const d = engine.dialect;
  await engine.run(d.dropTable(target));
  if (shape !== "missing") {
    await engine.createTable(target, STRESS_SCHEMA, shape === "keyed" ? { primaryKey: ["id"] } : {});
    const seed = Array.from({ length: SEEDED }, (_, id) => ({ id, v: "seed" }));
    await engine.load(target, [batchFromRows(STRESS_SCHEMA, seed)]);
  }
  const tasks = Array.from({ length: WRITERS }, (_, i) => async () => {
    const input =
      i % 2 === 0
        ? { batches: writerBatches(i) }
        : { engine, sql: `SELECT id, v FROM ${d.quoteTable(source)} WHERE writer = $1`, params: [i] };
    const result = await writeTable(engine, target, input, { mode: "upsert", key: ["id"] });
    expect(result.rowsWritten).toBe(SPAN);
  });
  const failures = await runLimited(tasks, CONCURRENCY);
  expect(failures).toEqual([]);

  const rows = await engine.query<{ id: number; v: string }>(
    `SELECT id, v FROM ${d.quoteTable(target)} ORDER BY id, v`,
  );
  const maxKey = (WRITERS - 1) * STRIDE + SPAN;
  const expectedKeys = shape === "missing" ? maxKey : Math.max(maxKey, SEEDED);
  expect(rows).toHaveLength(expectedKeys);
  const wrong = rows.filter((row, index) => {
    if (row.id !== index) return true;
    const writers = writersOf(row.id);
    return !writers.includes(row.v);
  });
  expect(wrong.slice(0, 5)).toEqual([]);
}

/** The values a key may hold once every writer is done: one of the writers that wrote it. */
function writersOf(id: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < WRITERS; i++) if (id >= i * STRIDE && id < i * STRIDE + SPAN) out.push(`w${i}`);
  return out;
}

/** Fills `source` with every SQL writer's rows (`writer`, `id`, `v`). */
export async function createStressSource(engine: Engine, source: TableRef): Promise<void> {
  const schema: Schema = { fields: [{ name: "writer", type: "integer" }, ...STRESS_SCHEMA.fields] };
  await engine.run(engine.dialect.dropTable(source));
  await engine.createTable(source, schema);
  const rows = Array.from({ length: WRITERS }, (_, i) =>
    writerKeys(i).map((id) => ({ writer: i, id, v: `w${i}` })),
  ).flat();
  await engine.load(source, [batchFromRows(schema, rows)]);
}
