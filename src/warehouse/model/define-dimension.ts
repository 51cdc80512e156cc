import { type ColumnDefinition, type ColumnInput, columnSpec } from "./column-types.js";
import { checkModelName, ModelError } from "./model-error.js";

/**
 * A dimension table. Type 2 (the default) keeps history like a dbt snapshot: one row per
 * version, `effective_date` (inclusive) to `expiry_date` (exclusive; NULL while current,
 * as dbt's `dbt_valid_to`), `is_current`, and a hash of the tracked columns that decides
 * whether a row changed. Type 1 keeps one row per natural key, overwritten in place.
 *
 * @example
 * export const dimUsers = defineDimension({
 *   name: "dim_users",
 *   surrogateKey: "user_key",
 *   naturalKey: "user_id",
 *   columns: { user_id: "uuid", email: "varchar", first_name: "varchar", is_active: "boolean" },
 *   scd1: ["first_name"],
 *   hardDeletes: "invalidate",
 *   indexes: [["email"]],
 * });
 */
export interface DimensionSpec {
  name: string;
  /** The warehouse schema; default the engine's (`main` on DuckDB, `public` on PostgreSQL). */
  schema?: string;
  /** The surrogate key column (BIGINT, assigned by weir, never reused). */
  surrogateKey: string;
  /** The natural (business) key column(s); must be among `columns`. */
  naturalKey: string | string[];
  /** Natural key and attributes, in table order. The bookkeeping columns are added by weir. */
  columns: Record<string, ColumnInput>;
  /** 2 (default): versions; 1: overwrite in place. */
  type?: 1 | 2;
  /** Attributes overwritten in place on every version of the key (SCD1 columns of a type 2 dimension). */
  scd1?: string[];
  /** Type 2 validity columns. */
  validity?: {
    /** Default `effective_date`. */
    from?: string;
    /** Default `expiry_date`. */
    to?: string;
    /** Default `is_current`. */
    current?: string;
    /** `date` (default) or `timestamp`. */
    type?: "date" | "timestamp";
  };
  /** The column holding the hash of the tracked columns; default `row_hash`. */
  hashColumn?: string;
  /**
   * A version's effective time: the snapshot's as-of date (default) or a column of the
   * snapshot (as dbt's `timestamp` strategy's `updated_at`).
   */
  effectiveFrom?: { column: string };
  /**
   * Keys that vanish from a snapshot: `ignore` (default, as dbt) keeps their current
   * version open; `invalidate` closes it at the snapshot's as-of date.
   */
  hardDeletes?: "ignore" | "invalidate";
  /**
   * The unknown member facts point at when their key has no version yet: a real row with
   * this surrogate key (default -1) and these attribute values (others NULL; the natural key
   * gets `"unknown"` for text, else NULL). `false` for none.
   */
  unknownMember?: false | { key?: number; values?: Record<string, string | number | boolean | null> };
  /** Secondary indexes, each a list of columns. */
  indexes?: string[][];
}

export interface DimensionModel {
  readonly kind: "dimension";
  readonly name: string;
  readonly schema: string | undefined;
  readonly scdType: 1 | 2;
  readonly surrogateKey: string;
  readonly naturalKey: readonly string[];
  /** Natural key + attributes, as declared. */
  readonly attributes: readonly ColumnDefinition[];
  /** Attributes whose change makes a new version (type 2). */
  readonly tracked: readonly string[];
  /** Attributes overwritten in place. */
  readonly scd1: readonly string[];
  readonly validity: { from: string; to: string; current: string; type: "date" | "timestamp" };
  readonly hashColumn: string;
  readonly effectiveFrom: { column: string } | undefined;
  readonly hardDeletes: "ignore" | "invalidate";
  readonly unknownMember:
    | { key: number; values: Record<string, string | number | boolean | null> }
    | undefined;
  readonly indexes: readonly (readonly string[])[];
  /** Every column of the table, in order: surrogate key, attributes, bookkeeping columns. */
  readonly columns: readonly ColumnDefinition[];
}

export function defineDimension(spec: DimensionSpec): DimensionModel {
  checkModelName(spec.name, "dimension name");
  if (spec.schema !== undefined) checkModelName(spec.schema, "schema");
  const attributes = Object.entries(spec.columns).map(([name, input]) => columnSpec(name, input));
  const names = new Set(attributes.map((c) => c.name));
  const naturalKey = typeof spec.naturalKey === "string" ? [spec.naturalKey] : [...spec.naturalKey];
  const where = `dimension ${spec.name}`;
  if (naturalKey.length === 0) throw new ModelError(`${where}: naturalKey names no column`);
  for (const key of naturalKey) {
    if (!names.has(key)) throw new ModelError(`${where}: natural key ${key} is not among its columns`);
  }
  const scdType = spec.type ?? 2;
  const scd1 = spec.scd1 ?? [];
  for (const c of scd1) {
    if (!names.has(c) || naturalKey.includes(c)) {
      throw new ModelError(`${where}: scd1 column ${c} is not one of its attributes`);
    }
  }
  const tracked =
    scdType === 2
      ? attributes.map((c) => c.name).filter((c) => !naturalKey.includes(c) && !scd1.includes(c))
      : [];
  const validity = {
    from: spec.validity?.from ?? "effective_date",
    to: spec.validity?.to ?? "expiry_date",
    current: spec.validity?.current ?? "is_current",
    type: spec.validity?.type ?? "date",
  };
  const hashColumn = spec.hashColumn ?? "row_hash";
  if (spec.effectiveFrom && !names.has(spec.effectiveFrom.column)) {
    throw new ModelError(
      `${where}: effectiveFrom column ${spec.effectiveFrom.column} is not among its columns`,
    );
  }
  const bookkeeping: ColumnDefinition[] =
    scdType === 2
      ? [
          { name: validity.from, type: validity.type, nullable: false },
          { name: validity.to, type: validity.type, nullable: true },
          { name: validity.current, type: "boolean", nullable: false },
          { name: hashColumn, type: "varchar", nullable: false },
        ]
      : [];
  const columns: ColumnDefinition[] = [
    { name: spec.surrogateKey, type: "bigint", nullable: false },
    ...attributes.map((c) => (naturalKey.includes(c.name) ? { ...c, nullable: false } : c)),
    ...bookkeeping,
  ];
  const seen = new Set<string>();
  for (const c of columns) {
    checkModelName(c.name, `column of ${spec.name}`);
    if (seen.has(c.name.toLowerCase())) throw new ModelError(`${where}: column ${c.name} is declared twice`);
    seen.add(c.name.toLowerCase());
  }
  for (const index of spec.indexes ?? []) {
    for (const c of index) {
      if (!seen.has(c.toLowerCase())) throw new ModelError(`${where}: index column ${c} is not a column`);
    }
  }
  const unknownMember =
    spec.unknownMember === false
      ? undefined
      : { key: spec.unknownMember?.key ?? -1, values: spec.unknownMember?.values ?? {} };
  return Object.freeze({
    kind: "dimension" as const,
    name: spec.name,
    schema: spec.schema,
    scdType,
    surrogateKey: spec.surrogateKey,
    naturalKey,
    attributes,
    tracked,
    scd1,
    validity,
    hashColumn,
    effectiveFrom: spec.effectiveFrom,
    hardDeletes: spec.hardDeletes ?? "ignore",
    unknownMember,
    indexes: spec.indexes ?? [],
    columns,
  });
}
