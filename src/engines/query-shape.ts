import { EngineError } from "../core/errors.js";
import type { Schema } from "../core/types.js";
import type { Engine } from "./engine.js";

/**
 * The logical schema of a query's result, without reading its rows: runs it wrapped in
 * `LIMIT 0` and takes the schema of the (empty) batch every weir engine's `stream`
 * yields at least once.
 *
 * @example
 * const schema = await queryShape(engine, "SELECT id, name FROM customers WHERE id > $1", [10]);
 */
export async function queryShape(engine: Engine, sql: string, params?: readonly unknown[]): Promise<Schema> {
  for await (const batch of engine.stream(`SELECT * FROM (${sql}) AS weir_shape LIMIT 0`, params)) {
    return batch.schema;
  }
  throw new EngineError(
    "INTERNAL",
    `${engine.kind}: the engine's stream yielded no batch, so the query's columns are unknown`,
    {
      details: { sql },
    },
  );
}
