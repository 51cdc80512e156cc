import type { Engine } from "../../engines/engine.js";
import { type PolicySource, SOURCE_ALIAS, sourceFrom } from "./policy-source.js";
import { policySqlFunctions } from "./policy-sql-functions.js";

/** The prepared columns' names: this prefix and a number, skipping any name the source has. */
const PREFIX = "weir_policy_value_";

/**
 * Values the policy's outputs read more than once — an email trimmed (hashed and masked),
 * a phone's last digits (read group by group) — computed once per row in an inner SELECT,
 * so the policy stays ONE statement:
 *
 *   SELECT <outputs> FROM (SELECT weir_policy_source.*, <value> AS weir_policy_value_0, …
 *                          FROM <source> AS weir_policy_source) AS weir_policy_source
 *
 * Neither engine shares a repeated subexpression by itself (in a CASE each branch computes
 * it again), and a trim or a regexp per reference was most of a policy's cost. Column
 * references keep working unchanged: the inner SELECT passes every source column through
 * under the same alias.
 */
export class PreparedValues {
  private readonly names = new Map<string, string>();
  private readonly taken: Set<string>;
  private next = 0;

  /** `sourceColumns`: the source's column names, which a prepared column must not take. */
  constructor(
    private readonly engine: Engine,
    sourceColumns: readonly string[],
  ) {
    // DuckDB matches identifiers case-insensitively.
    this.taken = new Set(sourceColumns.map((c) => c.toLowerCase()));
  }

  /** A reference to the column holding `expr` (one column per distinct expression text). */
  ref(expr: string): string {
    let name = this.names.get(expr);
    if (name === undefined) {
      do name = `${PREFIX}${this.next++}`;
      while (this.taken.has(name));
      this.names.set(expr, name);
    }
    return `${SOURCE_ALIAS}.${this.engine.dialect.quoteIdent(name)}`;
  }

  /** `FROM` text: the source with the prepared columns, or the source alone when nothing was prepared. */
  from(source: PolicySource): string {
    const from = sourceFrom(this.engine, source);
    if (this.names.size === 0) return from;
    const q = (name: string) => this.engine.dialect.quoteIdent(name);
    const values = [...this.names].map(([expr, name]) => `${expr} AS ${q(name)}`).join(", ");
    const fence = policySqlFunctions(this.engine.kind).subqueryFence;
    return `(SELECT ${SOURCE_ALIAS}.*, ${values} FROM ${from}${fence}) AS ${SOURCE_ALIAS}`;
  }
}
