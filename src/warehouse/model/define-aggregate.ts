import { type ColumnDefinition, type ColumnInput, columnSpec } from "./column-types.js";
import type { FactModel } from "./define-fact.js";
import { checkModelName, ModelError } from "./model-error.js";

/**
 * An aggregate table kept up to date incrementally from a fact: `select` is one SELECT
 * (portable SQL; table names inside it are the user's) whose result has exactly the
 * declared `columns`, grouped by `groupBy`. A refresh recomputes only the groups whose
 * `incrementalKey` value (a day, say) was touched by fact loads since the last refresh:
 * `DELETE` those values and `INSERT` the SELECT filtered to them, in one transaction. So
 * the `incrementalKey` must be one of `groupBy` and must come from the fact's `loadBy`.
 *
 * On PostgreSQL, `materializedView: true` also keeps `<name>_mv`, a real MATERIALIZED VIEW
 * of the same SELECT with a unique index on `groupBy`, refreshed CONCURRENTLY.
 *
 * @example
 * defineAggregate({
 *   name: "user_daily_metrics",
 *   from: factUserEvents,
 *   select: `SELECT user_id, date_key, count(*) AS total_events FROM fact_user_events GROUP BY user_id, date_key`,
 *   columns: { user_id: "uuid", date_key: "integer", total_events: "bigint" },
 *   groupBy: ["user_id", "date_key"],
 *   incrementalKey: "date_key",
 * });
 */
export interface AggregateSpec {
  name: string;
  schema?: string;
  from: FactModel;
  select: string;
  columns: Record<string, ColumnInput>;
  groupBy: string[];
  incrementalKey: string;
  materializedView?: boolean;
}

export interface AggregateModel {
  readonly kind: "aggregate";
  readonly name: string;
  readonly schema: string | undefined;
  readonly from: FactModel;
  readonly select: string;
  readonly columns: readonly ColumnDefinition[];
  readonly groupBy: readonly string[];
  readonly incrementalKey: string;
  readonly materializedView: boolean;
}

export function defineAggregate(spec: AggregateSpec): AggregateModel {
  checkModelName(spec.name, "aggregate name");
  if (spec.schema !== undefined) checkModelName(spec.schema, "schema");
  const where = `aggregate ${spec.name}`;
  const columns = Object.entries(spec.columns).map(([name, input]) => columnSpec(name, input));
  const names = new Set(columns.map((c) => c.name));
  for (const g of spec.groupBy)
    if (!names.has(g)) throw new ModelError(`${where}: groupBy column ${g} is not a column`);
  if (!spec.groupBy.includes(spec.incrementalKey)) {
    throw new ModelError(`${where}: incrementalKey ${spec.incrementalKey} must be one of groupBy`);
  }
  for (const c of columns) checkModelName(c.name, `column of ${spec.name}`);
  if (typeof spec.select !== "string" || !/^\s*(select|with)\b/i.test(spec.select)) {
    throw new ModelError(`${where}: select must be one SELECT statement`);
  }
  return Object.freeze({
    kind: "aggregate" as const,
    name: spec.name,
    schema: spec.schema,
    from: spec.from,
    select: spec.select,
    columns: columns.map((c) => (spec.groupBy.includes(c.name) ? { ...c, nullable: false } : c)),
    groupBy: spec.groupBy,
    incrementalKey: spec.incrementalKey,
    materializedView: spec.materializedView ?? false,
  });
}
