import { type ColumnDefinition, type ColumnInput, columnSpec } from "./column-types.js";
import type { DimensionModel } from "./define-dimension.js";
import { checkModelName, ModelError } from "./model-error.js";

/**
 * A fact table: one row per `grain` key, pointing at dimensions through surrogate keys
 * looked up from natural keys as of the fact's time.
 *
 * The loader's input (a table or query on the warehouse engine) carries the fact's own
 * columns plus, for each dimension key, the natural key columns named in `naturalKey`;
 * the loader adds the surrogate key. The natural key columns are kept on the fact too, so
 * that facts keyed to the unknown member can be re-keyed once their member arrives.
 *
 * @example
 * export const factUserEvents = defineFact({
 *   name: "fact_user_events",
 *   grain: ["event_id"],
 *   columns: { event_id: "bigint", date_key: "integer", session_id: "uuid", created_at: "timestamptz" },
 *   dimensionKeys: [{ column: "user_key", dimension: dimUsers, naturalKey: { user_id: "user_id" }, asOf: "created_at" }],
 *   partitionBy: { column: "date_key", granularity: "month" },
 *   loadBy: "date_key",
 *   indexes: [["user_key", "date_key"]],
 * });
 */
export interface FactSpec {
  name: string;
  schema?: string;
  /** The columns that identify one fact; duplicates in a load are removed (see `dedupeOrder`). */
  grain: string[];
  /** The fact's own columns (not the dimension keys), in table order. */
  columns: Record<string, ColumnInput>;
  dimensionKeys?: DimensionKeySpec[];
  /**
   * Partitioning: by month or day of an integer `yyyymmdd` column or a date column. On
   * PostgreSQL a declarative RANGE partition per period, created before a load needs it;
   * on DuckDB a plain table (DuckDB has no declarative partitions; loads still replace by
   * `loadBy`).
   */
  partitionBy?: { column: string; granularity: "month" | "day" };
  /** The column a load replaces by: re-loading a day deletes that day's rows first. */
  loadBy: string;
  /**
   * Which of several rows with one grain key is kept: an ORDER BY over input columns, the
   * first row wins. Default: the grain then every other column, so the choice never depends
   * on input order.
   */
  dedupeOrder?: string[];
  indexes?: string[][];
}

export interface DimensionKeySpec {
  /** The surrogate key column on the fact. */
  column: string;
  dimension: DimensionModel;
  /** Fact input column → dimension natural key column. */
  naturalKey: Record<string, string>;
  /**
   * The input column holding the fact's time; a type 2 dimension is looked up as of it.
   * Without it (or for a type 1 dimension) the current version is used.
   */
  asOf?: string;
}

export interface FactModel {
  readonly kind: "fact";
  readonly name: string;
  readonly schema: string | undefined;
  readonly grain: readonly string[];
  readonly ownColumns: readonly ColumnDefinition[];
  readonly dimensionKeys: readonly DimensionKeySpec[];
  readonly partitionBy: { column: string; granularity: "month" | "day" } | undefined;
  readonly loadBy: string;
  readonly dedupeOrder: readonly string[] | undefined;
  readonly indexes: readonly (readonly string[])[];
  /**
   * Every column of the table, in order: the own columns with each dimension's surrogate key
   * and natural key columns inserted after the grain.
   */
  readonly columns: readonly ColumnDefinition[];
}

export function defineFact(spec: FactSpec): FactModel {
  checkModelName(spec.name, "fact name");
  if (spec.schema !== undefined) checkModelName(spec.schema, "schema");
  const where = `fact ${spec.name}`;
  const own = Object.entries(spec.columns).map(([name, input]) => columnSpec(name, input));
  const names = new Set(own.map((c) => c.name));
  for (const g of spec.grain)
    if (!names.has(g)) throw new ModelError(`${where}: grain column ${g} is not a column`);
  if (spec.grain.length === 0) throw new ModelError(`${where}: grain names no column`);
  const keyColumns: ColumnDefinition[] = [];
  for (const key of spec.dimensionKeys ?? []) {
    checkModelName(key.column, `dimension key of ${spec.name}`);
    keyColumns.push({ name: key.column, type: "bigint", nullable: false });
    for (const [input, dimColumn] of Object.entries(key.naturalKey)) {
      const attr = key.dimension.attributes.find((a) => a.name === dimColumn);
      if (!attr || !key.dimension.naturalKey.includes(dimColumn)) {
        throw new ModelError(`${where}: ${dimColumn} is not a natural key column of ${key.dimension.name}`);
      }
      if (!names.has(input)) keyColumns.push({ name: input, type: attr.type, nullable: true });
    }
    if (Object.keys(key.naturalKey).length !== key.dimension.naturalKey.length) {
      throw new ModelError(
        `${where}: ${key.column} must map every natural key column of ${key.dimension.name}`,
      );
    }
    if (key.asOf !== undefined && !names.has(key.asOf)) {
      throw new ModelError(`${where}: asOf column ${key.asOf} of ${key.column} is not a column`);
    }
  }
  const columns = [
    ...own.filter((c) => spec.grain.includes(c.name)).map((c) => ({ ...c, nullable: false })),
    ...keyColumns,
    ...own.filter((c) => !spec.grain.includes(c.name)),
  ];
  const seen = new Set<string>();
  for (const c of columns) {
    checkModelName(c.name, `column of ${spec.name}`);
    if (seen.has(c.name.toLowerCase())) throw new ModelError(`${where}: column ${c.name} is declared twice`);
    seen.add(c.name.toLowerCase());
  }
  if (!seen.has(spec.loadBy.toLowerCase()))
    throw new ModelError(`${where}: loadBy column ${spec.loadBy} is not a column`);
  if (spec.partitionBy && !seen.has(spec.partitionBy.column.toLowerCase())) {
    throw new ModelError(`${where}: partition column ${spec.partitionBy.column} is not a column`);
  }
  for (const index of spec.indexes ?? []) {
    for (const c of index)
      if (!seen.has(c.toLowerCase())) throw new ModelError(`${where}: index column ${c} is not a column`);
  }
  return Object.freeze({
    kind: "fact" as const,
    name: spec.name,
    schema: spec.schema,
    grain: spec.grain,
    ownColumns: own,
    dimensionKeys: spec.dimensionKeys ?? [],
    partitionBy: spec.partitionBy,
    loadBy: spec.loadBy,
    dedupeOrder: spec.dedupeOrder,
    indexes: spec.indexes ?? [],
    columns,
  });
}
