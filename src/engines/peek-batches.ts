import type { RecordBatch } from "../core/batch.js";

/** Reads the first batch (for its schema) and returns an iterable that still yields every batch. */
export async function peekBatches(
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
