import { FieldSet } from "./field-set.js";
import { VALUE_KEYWORDS } from "./function-kinds.js";
import type { LineageContext } from "./lineage-context.js";
import type { OutputColumn, Relation } from "./relations.js";
import type { AstNode } from "./sql-ast.js";
import { TRANSFORMATION } from "./transformations.js";

/** A query's result: its columns, the indirect lineage over all of them, and relations an unexpanded `*` passed through. */
export interface QueryResult {
  outputs: OutputColumn[];
  datasetLevel: FieldSet;
  passthrough: Relation[];
}

/** A WITH entry, evaluated on first use (memoised), in the scope it was defined in. */
export interface CteEntry {
  name: string;
  aliases: string[];
  query: AstNode;
  recursive: boolean;
  /** The scope a CTE body sees: the query's outer scope (CTEs do not see the FROM of their query). */
  outer: Scope | undefined;
  ctes: CteScope;
  evaluating: boolean;
  partial?: QueryResult;
  result?: QueryResult;
}

export interface CteScope {
  entries: Map<string, CteEntry>;
  parent?: CteScope;
}

/** What names mean at one query level, with the enclosing levels as `parent` (correlated references). */
export interface Scope {
  relations: Relation[];
  /** `JOIN … USING (c)` / NATURAL: an unqualified `c` is the left side's. */
  using: Map<string, Relation>;
  /** The select list as far as evaluated: DuckDB lets later items, WHERE and GROUP BY name its aliases. */
  outputs?: OutputColumn[];
  /** Lambda parameters in scope (`x -> x + 1`): not columns. */
  lambdaParams?: ReadonlySet<string>;
  parent?: Scope;
  ctes?: CteScope;
}

export function findCte(ctes: CteScope | undefined, name: string): CteEntry | undefined {
  const key = name.toLowerCase();
  for (let s = ctes; s; s = s.parent) {
    const entry = s.entries.get(key);
    // A CTE body naming its own CTE without RECURSIVE reads the table of that name.
    if (entry && !(entry.evaluating && !entry.recursive)) return entry;
  }
  return undefined;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The input fields a column reference (`c`, `t.c`, `s.t.c`, `c.field`) stands for, looked up
 * from the innermost query outwards; undefined when nothing in scope has it.
 *
 * Unqualified names go to the one relation that has the column (catalog); failing that, to
 * the only relation whose columns are unknown; with several such, the name is ambiguous and
 * noted. `aliasFirst` (ORDER BY) prefers the select list's aliases over FROM columns.
 */
export function resolveColumn(
  parts: readonly string[],
  scope: Scope,
  ctx: LineageContext,
  aliasFirst = false,
): FieldSet | undefined {
  if (parts.length === 1 && scope.lambdaParams?.has(parts[0]!.toLowerCase())) return new FieldSet();
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const found =
      parts.length === 1
        ? resolveName(parts[0]!, s, ctx, aliasFirst && s === scope)
        : resolveQualified(parts, s);
    if (found) return found;
  }
  if (parts.length > 1) {
    // `c.field` on a struct column (or `t.c.field`): the first part is a column.
    const base = resolveColumn(parts.slice(0, 1), scope, ctx);
    if (base && base.size > 0) return base.under(TRANSFORMATION);
  }
  if (parts.length === 1 && VALUE_KEYWORDS.has(parts[0]!.toLowerCase())) return new FieldSet();
  return undefined;
}

function resolveName(
  name: string,
  scope: Scope,
  ctx: LineageContext,
  aliasFirst: boolean,
): FieldSet | undefined {
  const alias = () => scope.outputs?.find((o) => same(o.name, name))?.fields;
  if (aliasFirst) {
    const fields = alias();
    if (fields) return fields;
  }
  const using = scope.using.get(name.toLowerCase());
  if (using) return using.lookup(name);
  const known = scope.relations.find((r) => r.has(name) === "yes");
  if (known) return known.lookup(name);
  if (VALUE_KEYWORDS.has(name.toLowerCase())) return new FieldSet();
  // An earlier select-list alias, before guessing a column of a table whose columns are unknown.
  const aliased = aliasFirst ? undefined : alias();
  if (aliased) return aliased;
  const maybe = scope.relations.filter((r) => r.has(name) === "maybe");
  if (maybe.length === 1) return maybe[0]!.lookup(name);
  if (maybe.length > 1) {
    ctx.note(
      `column "${name}" is ambiguous: ${maybe.map((r) => r.label).join(", ")} may each have it (columns unknown)`,
    );
    return new FieldSet();
  }
  return undefined;
}

function resolveQualified(parts: readonly string[], scope: Scope): FieldSet | undefined {
  for (let k = Math.min(parts.length - 1, 3); k >= 1; k--) {
    const qualifier = parts.slice(0, k);
    const relation = scope.relations.find((r) => qualifies(r, qualifier));
    if (!relation) continue;
    const fields = relation.lookup(parts[k]!);
    // Parts after the column are struct fields.
    return k + 1 < parts.length ? fields.under(TRANSFORMATION) : fields;
  }
  return undefined;
}

/** Whether `qualifier` (`t`, `s.t`, `c.s.t`) names the relation. */
export function qualifies(relation: Relation, qualifier: readonly string[]): boolean {
  if (qualifier.length === 1) return same(relation.alias, qualifier[0]!);
  const table = relation.table;
  if (!table) return false;
  const name = qualifier[qualifier.length - 1]!;
  const schema = qualifier[qualifier.length - 2]!;
  const catalog = qualifier.length === 3 ? qualifier[0] : undefined;
  return (
    same(table.name, name) &&
    (table.schema === undefined || same(table.schema, schema)) &&
    (catalog === undefined || table.catalog === undefined || same(table.catalog, catalog))
  );
}

/**
 * The spelling of the column a reference binds to at this query level, when a relation
 * knows it: DuckDB names an unaliased `A` after the column `a` it binds to.
 */
export function columnSpelling(parts: readonly string[], scope: Scope): string | undefined {
  const column = parts[parts.length - 1]!;
  if (parts.length === 1) {
    const relation =
      scope.using.get(column.toLowerCase()) ?? scope.relations.find((r) => r.has(column) === "yes");
    return relation?.columnName(column);
  }
  const qualifier = parts.slice(0, -1);
  return scope.relations.find((r) => qualifies(r, qualifier))?.columnName(column);
}
