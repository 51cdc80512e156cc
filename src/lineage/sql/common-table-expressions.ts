import type { LineageContext } from "./lineage-context.js";
import type { CteEntry, CteScope, QueryResult, Scope } from "./scope.js";
import { emptyResult, unionResults } from "./set-operations.js";
import { type AstNode, child, children, queryNode, strings } from "./sql-ast.js";

type Evaluate = (node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined) => QueryResult;

/** How many times a recursive CTE's recursive part is re-read for lineage that flows round the loop. */
const RECURSION_ROUNDS = 4;

/**
 * The scope of the CTEs a query node defines (each sees all of them: WITH RECURSIVE, and
 * order-free DuckDB), or `ctes` unchanged when it defines none.
 */
export function withCtes(
  node: AstNode,
  outer: Scope | undefined,
  ctes: CteScope | undefined,
): CteScope | undefined {
  const map = children(child(node, "cte_map"), "map");
  if (map.length === 0) return ctes;
  const scope: CteScope = { entries: new Map(), ...(ctes ? { parent: ctes } : {}) };
  for (const entry of map) {
    const value = child(entry, "value");
    const query = queryNode(child(value, "query"));
    if (typeof entry.key !== "string" || !query) continue;
    scope.entries.set(entry.key.toLowerCase(), {
      name: entry.key,
      aliases: strings(value, "aliases"),
      query,
      recursive: query.type === "RECURSIVE_CTE_NODE",
      outer,
      ctes: scope,
      evaluating: false,
    });
  }
  return scope;
}

/**
 * A CTE's result, evaluated on first use and kept. A recursive CTE (best effort): the
 * anchor, then the recursive part read again with the result so far standing for the CTE,
 * until its lineage stops growing (or `RECURSION_ROUNDS`).
 */
export function cteResult(entry: CteEntry, evaluate: Evaluate, ctx: LineageContext): QueryResult {
  if (entry.result) return entry.result;
  // The recursive part reading its own CTE: what the rounds so far found.
  if (entry.evaluating) return entry.partial ?? emptyResult();
  entry.evaluating = true;
  try {
    if (entry.query.type !== "RECURSIVE_CTE_NODE") {
      entry.result = renamed(evaluate(entry.query, entry.outer, entry.ctes), entry.aliases);
      return entry.result;
    }
    const anchor = child(entry.query, "left");
    const recursive = child(entry.query, "right");
    const base = renamed(anchor ? evaluate(anchor, entry.outer, entry.ctes) : emptyResult(), entry.aliases);
    let result = base;
    for (let round = 0; round < RECURSION_ROUNDS && recursive; round++) {
      entry.partial = result;
      const next = renamed(
        unionResults(base, evaluate(recursive, entry.outer, entry.ctes), ctx),
        entry.aliases,
      );
      const settled = signature(next) === signature(result);
      result = next;
      if (settled) break;
    }
    entry.result = result;
    return result;
  } finally {
    entry.evaluating = false;
    entry.partial = undefined;
  }
}

/** Output columns renamed by position: `WITH x(a, b) AS (…)`. */
function renamed(result: QueryResult, names: readonly string[]): QueryResult {
  if (names.length === 0) return result;
  return {
    ...result,
    outputs: result.outputs.map((o, i) =>
      i < names.length ? { ...o, name: names[i]!, nameExpression: undefined } : o,
    ),
  };
}

function signature(result: QueryResult): string {
  return JSON.stringify([
    result.outputs.map((o) => o.fields.toInputFields()),
    result.datasetLevel.toInputFields(),
  ]);
}
