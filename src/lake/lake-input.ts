import type { WriteInput } from "../connectors/sink.js";
import type { RecordBatch } from "../core/batch.js";
import type { Engine } from "../engines/engine.js";

/** The data of a write, as a query the lake's engine can run. */
export interface PreparedInput {
  sql: string;
  params: readonly unknown[];
}

/**
 * Runs `fn` with a write's input as SQL on the lake's engine. A query on that same engine
 * is used as is, so the data never passes through JS. Batches from JS, or a query on
 * another engine (streamed), are first bulk-loaded into a temporary table; that happens
 * inside a transaction because temporary tables belong to one connection, and `fn` gets
 * the transaction's engine to query it.
 *
 * `fn` gets undefined for an input with no batches at all: there is no schema to write.
 */
export async function withPreparedInput<T>(
  engine: Engine,
  input: WriteInput,
  tempName: string,
  fn: (engine: Engine, input: PreparedInput | undefined) => Promise<T>,
): Promise<T> {
  if ("sql" in input && input.engine === engine) {
    // The query is wrapped as a subquery, where a trailing semicolon is a syntax error.
    return fn(engine, { sql: input.sql.trim().replace(/;+$/, ""), params: input.params ?? [] });
  }
  const batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch> =
    "sql" in input ? input.engine.stream(input.sql, input.params) : input.batches;
  const iterator = toAsyncIterator(batches);
  const first = await iterator.next();
  if (first.done) {
    await iterator.return?.();
    return fn(engine, undefined);
  }
  const table = { name: tempName };
  return engine.transaction(async (tx) => {
    await tx.createTable(table, first.value.schema, { temporary: true });
    await tx.load(table, rest(first.value, iterator));
    const out = await fn(tx, { sql: `SELECT * FROM ${tx.dialect.quoteTable(table)}`, params: [] });
    await tx.run(tx.dialect.dropTable(table));
    return out;
  });
}

function toAsyncIterator(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): AsyncIterator<RecordBatch> {
  if (Symbol.asyncIterator in batches) return batches[Symbol.asyncIterator]();
  const sync = batches[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: undefined },
  };
}

async function* rest(first: RecordBatch, iterator: AsyncIterator<RecordBatch>): AsyncGenerator<RecordBatch> {
  yield first;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}
