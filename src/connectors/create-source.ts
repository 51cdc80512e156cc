import { createRegisteredSource } from "./define-source.js";
import type { Source } from "./source.js";
// Importing the built-in sources registers them with defineSource.
import "./csv-source.js";
import "./http-source.js";
import "./json-source.js";
import "./ndjson-source.js";
import "./parquet-source.js";
import "./postgres-source.js";
import "./sqlite-source.js";

export { sourceDefinitions } from "./define-source.js";

/**
 * Builds a source from plain config (a pipeline file, YAML, the CLI): validates it against
 * the type's zod schema and raises a `ConfigError` listing every invalid field.
 *
 * @example
 * const source = createSource({ type: "csv", path: "data/customers.csv", incremental: { cursorColumn: "updated_at" } });
 */
export function createSource(config: { type: string } & Record<string, unknown>): Source {
  return createRegisteredSource(config);
}
