import type { WriteMode } from "../connectors/sink.js";
import { ConfigError, EngineError } from "../core/errors.js";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "./engine.js";
import { uniqueKeysOf } from "./upsert-key.js";

/**
 * What a write does when the input's columns differ from the existing table's, in dbt's
 * vocabulary (`on_schema_change`; a `table` materialisation replaces):
 * - `replace` (overwrite only; its default): the table is dropped and created again with
 *   the new schema in the write's transaction, its unique keys kept where their columns are;
 * - `fail`: any difference (a new column, a missing one, another type) fails the write,
 *   naming each, before a row changes;
 * - `append_new_columns` (append, upsert, overwrite-partition): columns the table lacks are
 *   added to it; the table's types win for the others (values are cast);
 * - `ignore` (the default of append, upsert, overwrite-partition): the table's schema wins:
 *   values are cast to its types, input columns it lacks are refused (unlike dbt's
 *   `ignore`, which drops them: nothing is lost silently).
 */
export type OnSchemaChange = "replace" | "fail" | "append_new_columns" | "ignore";

export const ON_SCHEMA_CHANGE: readonly OnSchemaChange[] = [
  "replace",
  "fail",
  "append_new_columns",
  "ignore",
];

/** How the input's columns differ from the table's (by name; types are weir's logical types). */
export interface SchemaDrift {
  added: { name: string; type: WeirType }[];
  missing: { name: string; type: WeirType }[];
  changed: { name: string; table: WeirType; input: WeirType }[];
}

/** The default and the allowed policies of a write mode; a ConfigError for one that does not apply. */
export function schemaChangePolicy(mode: WriteMode, asked: OnSchemaChange | undefined, label: string) {
  const policy = asked ?? (mode === "overwrite" ? "replace" : "ignore");
  if (!ON_SCHEMA_CHANGE.includes(policy)) {
    throw new ConfigError(
      `writing ${label}: onSchemaChange ${JSON.stringify(policy)} is unknown: expected ${ON_SCHEMA_CHANGE.join(", ")}`,
    );
  }
  const overwrite = mode === "overwrite";
  if ((policy === "replace" && !overwrite) || (policy === "append_new_columns" && overwrite)) {
    throw new ConfigError(
      `writing ${label} with mode "${mode}": onSchemaChange "${policy}" applies to ${overwrite ? "append, upsert and overwrite-partition" : 'mode "overwrite" only'}`,
    );
  }
  return policy;
}

/** The differences between the table's schema and the input's; undefined when there are none. */
export function schemaDrift(table: Schema, input: Schema): SchemaDrift | undefined {
  const before = new Map(table.fields.map((f) => [f.name, f.type]));
  const after = new Map(input.fields.map((f) => [f.name, f.type]));
  const drift: SchemaDrift = { added: [], missing: [], changed: [] };
  for (const [name, type] of after) {
    const old = before.get(name);
    if (old === undefined) drift.added.push({ name, type });
    else if (old !== type) drift.changed.push({ name, table: old, input: type });
  }
  for (const [name, type] of before) if (!after.has(name)) drift.missing.push({ name, type });
  const none = drift.added.length + drift.missing.length + drift.changed.length === 0;
  return none ? undefined : drift;
}

/** "column "id" is varchar in the table and bigint in the input; new column "x" (date); …". */
export function describeDrift(drift: SchemaDrift): string {
  return [
    ...drift.changed.map((c) => `column "${c.name}" is ${c.table} in the table and ${c.input} in the input`),
    ...drift.added.map((c) => `new column "${c.name}" (${c.type})`),
    ...drift.missing.map((c) => `column "${c.name}" (${c.type}) is not in the input`),
  ].join("; ");
}

/** The SCHEMA_MISMATCH a write with `onSchemaChange: "fail"` throws, naming every difference. */
export function schemaDriftError(label: string, mode: WriteMode, drift: SchemaDrift): EngineError {
  return new EngineError(
    "SCHEMA_MISMATCH",
    `cannot ${mode === "overwrite" ? "overwrite" : `write (${mode})`} ${label}: the input's schema differs from the table's (onSchemaChange: "fail"): ${describeDrift(drift)}`,
    { details: { table: label, ...drift } },
  );
}

/**
 * Applies a write's `onSchemaChange` to the existing table `target` (schema `existing`)
 * when it differs from the wanted one (the write's declared schema, else the input's),
 * inside the write's transaction `tx`. Returns the table's schema afterwards and whether it
 * was created anew (then it is empty). Without a wanted schema nothing is compared.
 */
export async function applySchemaChange(
  tx: Engine,
  target: TableRef,
  existing: Schema,
  wanted: Schema | undefined,
  write: { mode: WriteMode; onSchemaChange?: OnSchemaChange | undefined },
): Promise<{ schema: Schema; replaced: boolean }> {
  const label = tableLabel(target);
  const drift = wanted && schemaDrift(existing, wanted);
  if (!wanted || !drift) return { schema: existing, replaced: false };
  const policy = schemaChangePolicy(write.mode, write.onSchemaChange, label);
  if (policy === "fail") throw schemaDriftError(label, write.mode, drift);
  if (policy === "replace") {
    await replaceTable(tx, target, wanted);
    return { schema: wanted, replaced: true };
  }
  if (policy === "append_new_columns" && drift.added.length > 0) {
    await addColumns(tx, target, drift.added);
    return { schema: { fields: [...existing.fields, ...drift.added] }, replaced: false };
  }
  return { schema: existing, replaced: false };
}

/**
 * Drops `target` and creates it with `schema` inside the write's transaction `tx`, then
 * gives it back the unique keys it had whose columns it still has (an upsert target's key:
 * the next upsert needs it). The DROP is refused by PostgreSQL while views depend on the
 * table; that error says so, and nothing changes (the transaction rolls back).
 */
export async function replaceTable(tx: Engine, target: TableRef, schema: Schema): Promise<void> {
  const keys = await columnKeysOf(tx, target);
  try {
    await tx.run(`DROP TABLE ${tx.dialect.quoteTable(target)}`);
  } catch (error) {
    const message = (error as Error).message;
    if (!/depend/i.test(message)) throw error;
    throw new EngineError(
      "SCHEMA_MISMATCH",
      `cannot overwrite ${tableLabel(target)} with a new schema: other objects depend on the table (${message.split("\n")[0]}); drop them first, or write with onSchemaChange: "fail" or "ignore"`,
      { cause: error, details: { table: tableLabel(target) } },
    );
  }
  await tx.createTable(target, schema);
  const columns = new Set(schema.fields.map((f) => f.name));
  for (const key of keys) {
    if (key.every((c) => columns.has(c))) await tx.run(tx.dialect.createUniqueKey(target, key));
  }
}

/** Adds the input's new columns to `target` (`append_new_columns`), nullable, inside `tx`. */
export async function addColumns(tx: Engine, target: TableRef, added: SchemaDrift["added"]): Promise<void> {
  for (const c of added) {
    const definition = tx.dialect.columnDefinition({ name: c.name, type: c.type });
    await tx.run(`ALTER TABLE ${tx.dialect.quoteTable(target)} ADD COLUMN ${definition}`);
  }
}

/** The column lists of the table's unique keys that are on columns only. */
async function columnKeysOf(engine: Engine, table: TableRef): Promise<string[][]> {
  // A key on an expression (a NULL column name) is not weir's to re-create.
  return (await uniqueKeysOf(engine, table)).filter((key): key is string[] => key.every((c) => c !== null));
}
