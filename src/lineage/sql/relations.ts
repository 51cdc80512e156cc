import { FieldSet } from "./field-set.js";
import type { DatasetName, TableName } from "./lineage-types.js";
import { datasetLabel } from "./lineage-types.js";
import type { AstNode } from "./sql-ast.js";
import { IDENTITY, TRANSFORMATION } from "./transformations.js";

/** One output column of a query (or of a FROM item): its name and where its values come from. */
export interface OutputColumn {
  name: string;
  fields: FieldSet;
  /** The select-list expression, for GROUP BY / ORDER BY by alias or position and GROUP BY ALL. */
  expression?: AstNode;
  /** DuckDB names an unaliased expression by its text: the expression to print for the name. */
  nameExpression?: AstNode;
}

/** Whether a relation has a column: known to, known not to, or its columns are unknown. */
export type Presence = "yes" | "maybe" | "no";

/** What `*` over a relation expands to; `unknown` says which columns could not be listed. */
export interface StarColumns {
  columns: OutputColumn[];
  unknown?: string;
}

/** A FROM item as the query sees it: a name to qualify with and columns to look up. */
export interface Relation {
  /** The name that qualifies its columns: the alias, or the table's name. */
  readonly alias: string;
  /** A base table read without an alias, so `schema.table.column` can name it. */
  readonly table?: TableName;
  /** For messages. */
  readonly label: string;
  /** False for the right side of a SEMI or ANTI join, whose columns `*` leaves out. */
  inStar: boolean;
  has(name: string): Presence;
  lookup(name: string): FieldSet;
  /** The column's own spelling (`A` binds to column `a`, and DuckDB names the output `a`), when known. */
  columnName(name: string): string | undefined;
  star(): StarColumns;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A table, view or files read by the statement: each column is an input field. */
export class DatasetRelation implements Relation {
  inStar = true;
  readonly label: string;

  constructor(
    private readonly datasets: readonly DatasetName[],
    private readonly columns: readonly string[] | undefined,
    readonly alias: string,
    readonly table?: TableName,
  ) {
    this.label = datasets.map(datasetLabel).join(", ");
  }

  has(name: string): Presence {
    if (!this.columns) return "maybe";
    return this.columns.some((c) => same(c, name)) ? "yes" : "no";
  }

  columnName(name: string): string | undefined {
    return this.columns?.find((c) => same(c, name));
  }

  lookup(name: string): FieldSet {
    const field = this.columnName(name) ?? name;
    const fields = new FieldSet();
    for (const dataset of this.datasets) fields.add(dataset, field, IDENTITY);
    return fields;
  }

  star(): StarColumns {
    if (!this.columns) return { columns: [], unknown: this.label };
    return { columns: this.columns.map((name) => ({ name, fields: this.lookup(name) })) };
  }
}

/**
 * A query's result used as a FROM item (subquery, CTE, VALUES): its output columns, and the
 * relations an unexpanded `*` passed through, which answer for names not listed.
 */
export class DerivedRelation implements Relation {
  inStar = true;

  constructor(
    private readonly outputs: readonly OutputColumn[],
    private readonly passthrough: readonly Relation[],
    readonly alias: string,
    readonly label: string = alias,
  ) {}

  has(name: string): Presence {
    if (this.outputs.some((o) => same(o.name, name))) return "yes";
    let presence: Presence = "no";
    for (const relation of this.passthrough) {
      const p = relation.has(name);
      if (p === "yes") return "yes";
      if (p === "maybe") presence = "maybe";
    }
    return presence;
  }

  lookup(name: string): FieldSet {
    const output = this.outputs.find((o) => same(o.name, name));
    if (output) return output.fields;
    const through = this.through(name);
    return through ? through.lookup(name) : new FieldSet();
  }

  columnName(name: string): string | undefined {
    return this.outputs.find((o) => same(o.name, name))?.name ?? this.through(name)?.columnName(name);
  }

  /** The relation a `*` passed through that answers for `name`. */
  private through(name: string): Relation | undefined {
    return (
      this.passthrough.find((r) => r.has(name) === "yes") ??
      this.passthrough.find((r) => r.has(name) === "maybe")
    );
  }

  star(): StarColumns {
    const unknown = this.passthrough.map((r) => r.star().unknown).filter((u): u is string => u !== undefined);
    return {
      columns: this.outputs.map((o) => ({ ...o })),
      ...(unknown.length > 0 ? { unknown: unknown.join(", ") } : {}),
    };
  }
}

/** A relation with some columns taken out (`* EXCLUDE (…)` passed through, or replaced ones). */
export class ExcludingRelation implements Relation {
  inStar = true;

  constructor(
    private readonly inner: Relation,
    private readonly excluded: ReadonlySet<string>,
  ) {}

  get alias(): string {
    return this.inner.alias;
  }

  get label(): string {
    return this.inner.label;
  }

  has(name: string): Presence {
    return this.excluded.has(name.toLowerCase()) ? "no" : this.inner.has(name);
  }

  lookup(name: string): FieldSet {
    return this.excluded.has(name.toLowerCase()) ? new FieldSet() : this.inner.lookup(name);
  }

  columnName(name: string): string | undefined {
    return this.excluded.has(name.toLowerCase()) ? undefined : this.inner.columnName(name);
  }

  star(): StarColumns {
    const star = this.inner.star();
    return { ...star, columns: star.columns.filter((c) => !this.excluded.has(c.name.toLowerCase())) };
  }
}

/**
 * A table function that is not a file reader (`generate_series`, `unnest(t.list)`): its
 * columns derive from its arguments as a whole.
 */
export class FunctionRelation implements Relation {
  inStar = true;

  constructor(
    readonly alias: string,
    private readonly names: readonly string[] | undefined,
    private readonly argumentFields: FieldSet,
    readonly label: string = alias,
  ) {}

  has(name: string): Presence {
    if (!this.names) return "maybe";
    return this.names.some((n) => same(n, name)) ? "yes" : "no";
  }

  lookup(): FieldSet {
    return this.argumentFields.under(TRANSFORMATION);
  }

  columnName(name: string): string | undefined {
    return this.names?.find((n) => same(n, name));
  }

  star(): StarColumns {
    if (!this.names) return { columns: [], unknown: this.label };
    return { columns: this.names.map((name) => ({ name, fields: this.lookup() })) };
  }
}

/**
 * `FROM x AS a(c1, c2)`: the first columns renamed by position. When the columns are
 * unknown the new names are kept but trace to nothing (noted by the caller).
 */
export function renamedRelation(relation: Relation, names: readonly string[], alias: string): Relation {
  const star = relation.star();
  if (star.unknown !== undefined) {
    return new DerivedRelation(
      names.map((name) => ({ name, fields: new FieldSet() })),
      [],
      alias,
      relation.label,
    );
  }
  const outputs = star.columns.map((c, i) => (i < names.length ? { ...c, name: names[i]! } : c));
  return new DerivedRelation(outputs, [], alias, relation.label);
}
