import { cteResult, withCtes } from "./common-table-expressions.js";
import type { ExpressionEnv } from "./expression-lineage.js";
import { expressionFields } from "./expression-lineage.js";
import { FieldSet } from "./field-set.js";
import { addFromItem, type QueryEvaluation } from "./from-clause.js";
import { AGGREGATE_FUNCTIONS } from "./function-kinds.js";
import type { LineageContext } from "./lineage-context.js";
import { columnRefName, postgresColumnName } from "./output-names.js";
import type { OutputColumn, Relation } from "./relations.js";
import { type CteEntry, type CteScope, columnSpelling, type QueryResult, type Scope } from "./scope.js";
import { emptyResult, filteredByRight, unionResults } from "./set-operations.js";
import {
  type AstNode,
  aliasOf,
  child,
  children,
  constantInteger,
  functionName,
  isNode,
  strings,
  text,
} from "./sql-ast.js";
import { expandStar } from "./star-expansion.js";
import { indirect } from "./transformations.js";

const FILTER = indirect("FILTER");
const GROUP_BY = indirect("GROUP_BY");
const SORT = indirect("SORT");

/**
 * Walks a query AST (SELECT, set operations, CTEs, subqueries) and computes each output
 * column's input fields and the dataset-level lineage, resolving names through scopes.
 */
export class QueryEvaluator implements QueryEvaluation {
  constructor(readonly ctx: LineageContext) {}

  env(scope: Scope, aliasFirst = false): ExpressionEnv {
    return {
      scope,
      ctx: this.ctx,
      query: (node, outer) => this.evaluate(node, outer, outer.ctes),
      ...(aliasFirst ? { aliasFirst } : {}),
    };
  }

  evaluate(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined): QueryResult {
    const scopedCtes = withCtes(node, outer, ctes);
    switch (node.type) {
      case "SELECT_NODE":
        return this.select(node, outer, scopedCtes);
      case "SET_OPERATION_NODE":
      case "RECURSIVE_CTE_NODE":
        return this.setOperation(node, outer, scopedCtes);
      default:
        this.ctx.note(`a query node of type ${String(node.type)} is not traced`);
        return { outputs: [], datasetLevel: new FieldSet(), passthrough: [] };
    }
  }

  cteResult(entry: CteEntry): QueryResult {
    return cteResult(entry, (node, outer, ctes) => this.evaluate(node, outer, ctes), this.ctx);
  }

  private select(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined): QueryResult {
    const scope: Scope = {
      relations: [],
      using: new Map(),
      ...(outer ? { parent: outer } : {}),
      ...(ctes ? { ctes } : {}),
    };
    const datasetLevel = new FieldSet();
    addFromItem(child(node, "from_table"), scope, datasetLevel, this);
    const outputs: OutputColumn[] = [];
    const passthrough: Relation[] = [];
    scope.outputs = outputs;
    const env = this.env(scope);
    for (const item of children(node, "select_list")) {
      if (item.class === "STAR") {
        expandStar(item, env, outputs, passthrough);
        continue;
      }
      outputs.push(this.outputColumn(item, env));
    }
    const add = (expression: AstNode | undefined, use: typeof FILTER) => {
      if (expression) datasetLevel.addAll(expressionFields(expression, env), use);
    };
    add(child(node, "where_clause"), FILTER);
    if (text(node, "aggregate_handling") === "FORCE_AGGREGATES") {
      // GROUP BY ALL: every select item that is not an aggregate.
      for (const output of outputs) {
        if (!output.expression || !containsAggregate(output.expression))
          datasetLevel.addAll(output.fields, GROUP_BY);
      }
    }
    for (const group of children(node, "group_expressions")) {
      datasetLevel.addAll(this.byReference(group, scope, outputs, false), GROUP_BY);
    }
    add(child(node, "having"), FILTER);
    add(child(node, "qualify"), FILTER);
    this.modifiers(node, scope, outputs, datasetLevel);
    return { outputs, datasetLevel, passthrough };
  }

  private outputColumn(item: AstNode, env: ExpressionEnv): OutputColumn {
    const fields = expressionFields(item, env);
    const alias = aliasOf(item);
    if (alias) return { name: alias, fields, expression: item };
    const column = columnRefName(item);
    if (column) {
      const name = columnSpelling(strings(item, "column_names"), env.scope) ?? column;
      return { name, fields, expression: item };
    }
    const name = postgresColumnName(item);
    return this.ctx.dialect === "duckdb"
      ? { name, fields, expression: item, nameExpression: item }
      : { name, fields, expression: item };
  }

  /** ORDER BY / GROUP BY / DISTINCT ON items: a position, an output alias, or an expression. */
  private byReference(
    expression: AstNode,
    scope: Scope,
    outputs: readonly OutputColumn[],
    aliasFirst: boolean,
  ): FieldSet {
    const position = constantInteger(expression);
    if (position !== undefined) return outputs[position - 1]?.fields ?? new FieldSet();
    if (expression.class === "STAR" && expression.columns === true && !isNode(expression.expr)) {
      // ORDER BY ALL
      const all = new FieldSet();
      for (const output of outputs) all.addAll(output.fields);
      return all;
    }
    return expressionFields(expression, this.env(scope, aliasFirst));
  }

  private modifiers(
    node: AstNode,
    scope: Scope,
    outputs: readonly OutputColumn[],
    datasetLevel: FieldSet,
  ): void {
    for (const modifier of children(node, "modifiers")) {
      if (modifier.type === "ORDER_MODIFIER") {
        for (const order of children(modifier, "orders")) {
          const expression = child(order, "expression");
          if (expression) datasetLevel.addAll(this.byReference(expression, scope, outputs, true), SORT);
        }
      } else if (modifier.type === "DISTINCT_MODIFIER") {
        // DISTINCT ON (…) keeps one row per value, as a GROUP BY would.
        for (const target of children(modifier, "distinct_on_targets")) {
          datasetLevel.addAll(this.byReference(target, scope, outputs, false), GROUP_BY);
        }
      } else {
        // LIMIT / OFFSET: constants, unless a column decides how many rows pass.
        for (const key of ["limit", "offset"]) {
          const expression = child(modifier, key);
          if (expression) datasetLevel.addAll(expressionFields(expression, this.env(scope)), FILTER);
        }
      }
    }
  }

  /**
   * UNION [ALL] / BY NAME: output column i from column i of every branch. EXCEPT and
   * INTERSECT: the values come from the left branch; the right one only decides which rows
   * stay, so its columns are dataset-level FILTER.
   */
  private setOperation(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined): QueryResult {
    const branches = [child(node, "left"), child(node, "right"), ...children(node, "children")].filter(
      (b): b is AstNode => b !== undefined,
    );
    const results = branches.map((b) => this.evaluate(b, outer, ctes));
    const kind = text(node, "setop_type") || "UNION";
    let result = results[0] ?? emptyResult();
    for (const next of results.slice(1)) {
      result =
        kind === "EXCEPT" || kind === "INTERSECT"
          ? filteredByRight(result, next)
          : unionResults(result, next, this.ctx, kind === "UNION_BY_NAME");
    }
    const scope: Scope = {
      relations: [],
      using: new Map(),
      outputs: result.outputs,
      ...(outer ? { parent: outer } : {}),
      ...(ctes ? { ctes } : {}),
    };
    this.modifiers(node, scope, result.outputs, result.datasetLevel);
    return result;
  }
}

/** Whether an expression aggregates (outside windows and subqueries): GROUP BY ALL groups by the others. */
function containsAggregate(expression: AstNode): boolean {
  if (expression.class === "WINDOW" || expression.class === "SUBQUERY") return false;
  if (expression.class === "FUNCTION" && AGGREGATE_FUNCTIONS.has(functionName(expression))) return true;
  return Object.values(expression).some((value) =>
    (Array.isArray(value) ? value : [value]).some((item) => isNode(item) && containsAggregate(item)),
  );
}
