import type { TableRef } from "../core/types.js";
import type { Engine } from "./engine.js";

/** The tail of each table's queue, per engine: a write waits for the one before it. */
const queues = new WeakMap<Engine, Map<string, Promise<unknown>>>();

/**
 * Runs `write` after every earlier write to the same `target` through this engine has
 * settled — on engines whose concurrent writers of the same rows fail instead of waiting
 * (`dialect.features.writersWait` is false: DuckDB). There two upserts of overlapping keys
 * (or two first writes creating one table) cannot both commit, and a write of streamed
 * batches cannot be replayed after losing; every writer of a DuckDB database lives in the
 * process that opened it, so queuing them here removes the conflict. Writes to other
 * tables still run side by side. Engines that wait (PostgreSQL) run `write` at once.
 *
 * A table named with and without its schema (`t` and `main.t`) queues separately.
 */
export function serialWrites<T>(engine: Engine, target: TableRef, write: () => Promise<T>): Promise<T> {
  if (engine.dialect.features.writersWait) return write();
  let tables = queues.get(engine);
  if (!tables) {
    tables = new Map();
    queues.set(engine, tables);
  }
  const table = JSON.stringify([target.schema ?? null, target.name]);
  const before = tables.get(table) ?? Promise.resolve();
  const mine = before.then(write, write);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  tables.set(table, settled);
  // Forget the table once its queue is empty, so long-lived engines do not collect names.
  void settled.then(() => {
    if (tables.get(table) === settled) tables.delete(table);
  });
  return mine;
}
