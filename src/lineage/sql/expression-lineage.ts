import { FieldSet } from "./field-set.js";
import { AGGREGATE_FUNCTIONS, isMaskingFunction, MASKING_AGGREGATES } from "./function-kinds.js";
import type { LineageContext } from "./lineage-context.js";
import type { Transformation } from "./lineage-types.js";
import type { QueryResult, Scope } from "./scope.js";
import { resolveColumn } from "./scope.js";
import { type AstNode, child, children, functionName, isNode, queryNode, strings, text } from "./sql-ast.js";
import { direct, indirect, TRANSFORMATION } from "./transformations.js";

export interface ExpressionEnv {
  scope: Scope;
  ctx: LineageContext;
  /** Evaluates a subquery whose correlated references reach `outer`. */
  query(node: AstNode, outer: Scope): QueryResult;
  /** ORDER BY: select-list aliases before FROM columns. */
  aliasFirst?: boolean;
}

const CONDITIONAL = indirect("CONDITIONAL");
const FILTER = indirect("FILTER");
const SORT = indirect("SORT");
const WINDOW = indirect("WINDOW");

/**
 * The input fields an expression's value derives from, relative to the expression itself
 * (a bare column is IDENTITY; compose with the use, e.g. under FILTER for a WHERE).
 *
 * Following OpenLineage's Spark integration: a function or operator makes TRANSFORMATION;
 * an aggregate AGGREGATION (its FILTER clause FILTER, its ORDER BY SORT); a window function
 * its argument AGGREGATION or TRANSFORMATION and its PARTITION BY / ORDER BY WINDOW; CASE
 * and IF their conditions CONDITIONAL and their results as they are; COALESCE / IFNULL each
 * argument both as it is and CONDITIONAL; NULLIF its first argument as it is and both
 * CONDITIONAL; casts TRANSFORMATION; hashes and weir's masking functions `masking`.
 */
export function expressionFields(expression: AstNode, env: ExpressionEnv): FieldSet {
  const fields = new FieldSet();
  const add = (node: AstNode | undefined, outer?: Transformation) => {
    if (node) fields.addAll(expressionFields(node, env), outer);
  };
  switch (expression.class) {
    case "COLUMN_REF": {
      const parts = strings(expression, "column_names");
      const found = resolveColumn(parts, env.scope, env.ctx, env.aliasFirst === true);
      if (found) return found;
      env.ctx.note(`column "${parts.join(".")}" matches no table in scope`);
      return fields;
    }
    case "CONSTANT":
    case "PARAMETER":
    case "DEFAULT":
      return fields;
    case "CAST":
      add(child(expression, "child"), TRANSFORMATION);
      return fields;
    case "COLLATE":
      add(child(expression, "child"));
      return fields;
    case "CASE":
      for (const check of children(expression, "case_checks")) {
        add(child(check, "when_expr"), CONDITIONAL);
        add(child(check, "then_expr"));
      }
      add(child(expression, "else_expr"));
      return fields;
    case "OPERATOR":
      if (expression.type === "OPERATOR_COALESCE") {
        for (const argument of children(expression, "children")) {
          add(argument);
          add(argument, CONDITIONAL);
        }
      } else {
        for (const argument of children(expression, "children")) add(argument, TRANSFORMATION);
      }
      return fields;
    case "FUNCTION":
      return functionFields(expression, env, fields);
    case "WINDOW":
      return windowFields(expression, env, fields);
    case "SUBQUERY":
      return subqueryFields(expression, env, fields);
    case "LAMBDA": {
      const params = new Set(lambdaParameters(child(expression, "lhs")));
      for (const p of env.scope.lambdaParams ?? []) params.add(p);
      const inner = { ...env, scope: { ...env.scope, lambdaParams: params } };
      const body = child(expression, "expr");
      if (body) fields.addAll(expressionFields(body, inner));
      return fields;
    }
    case "POSITIONAL_REFERENCE": {
      // `#2`: the second column of the FROM clause (DuckDB writes ARRAY(subquery) with one).
      const index = typeof expression.index === "number" ? expression.index : 0;
      const column = env.scope.relations.flatMap((r) => r.star().columns)[index - 1];
      if (column) return column.fields;
      env.ctx.note(`positional reference #${index} is not traced`);
      return fields;
    }
    case "STAR":
      env.ctx.note("a * or COLUMNS(…) inside an expression is not traced");
      return fields;
    default:
      // COMPARISON, CONJUNCTION, BETWEEN and anything unfamiliar: a value computed from its parts.
      for (const part of nestedExpressions(expression)) add(part, TRANSFORMATION);
      return fields;
  }
}

function functionFields(expression: AstNode, env: ExpressionEnv, fields: FieldSet): FieldSet {
  const name = functionName(expression);
  const args = children(expression, "children");
  const add = (node: AstNode | undefined, outer?: Transformation) => {
    if (node) fields.addAll(expressionFields(node, env), outer);
  };
  if (AGGREGATE_FUNCTIONS.has(name)) {
    const aggregation = direct("AGGREGATION", MASKING_AGGREGATES.has(name));
    for (const argument of args) add(argument, aggregation);
  } else if (name === "nullif" && args.length === 2) {
    add(args[0]);
    add(args[0], CONDITIONAL);
    add(args[1], CONDITIONAL);
  } else if ((name === "ifnull" || name === "nvl") && args.length === 2) {
    for (const argument of args) {
      add(argument);
      add(argument, CONDITIONAL);
    }
  } else if ((name === "iif" || name === "if") && args.length === 3) {
    add(args[0], CONDITIONAL);
    add(args[1]);
    add(args[2]);
  } else {
    const transformation = direct("TRANSFORMATION", isMaskingFunction(name, env.ctx.maskingFunctions));
    for (const argument of args) add(argument, transformation);
  }
  add(child(expression, "filter"), FILTER);
  for (const order of children(child(expression, "order_bys"), "orders"))
    add(child(order, "expression"), SORT);
  return fields;
}

function windowFields(expression: AstNode, env: ExpressionEnv, fields: FieldSet): FieldSet {
  const add = (node: AstNode | undefined, outer?: Transformation) => {
    if (node) fields.addAll(expressionFields(node, env), outer);
  };
  const name = functionName(expression);
  const aggregate = expression.type === "WINDOW_AGGREGATE" || AGGREGATE_FUNCTIONS.has(name);
  const value = aggregate
    ? direct("AGGREGATION", MASKING_AGGREGATES.has(name))
    : direct("TRANSFORMATION", isMaskingFunction(name, env.ctx.maskingFunctions));
  for (const argument of children(expression, "children")) add(argument, value);
  add(child(expression, "default_expr"), TRANSFORMATION);
  for (const partition of children(expression, "partitions")) add(partition, WINDOW);
  for (const order of children(expression, "orders")) add(child(order, "expression"), WINDOW);
  for (const order of children(expression, "arg_orders")) add(child(order, "expression"), WINDOW);
  for (const key of ["offset_expr", "start_expr", "end_expr"]) add(child(expression, key), WINDOW);
  add(child(expression, "filter_expr"), FILTER);
  return fields;
}

function subqueryFields(expression: AstNode, env: ExpressionEnv, fields: FieldSet): FieldSet {
  const node = queryNode(child(expression, "subquery"));
  if (!node) return fields;
  const result = env.query(node, env.scope);
  const kind = text(expression, "subquery_type");
  const first = result.outputs[0]?.fields;
  if (kind === "SCALAR" || kind === "ARRAY") {
    if (first) fields.addAll(first);
  } else if (kind === "ANY" || kind === "ALL") {
    const left = child(expression, "child");
    if (left) fields.addAll(expressionFields(left, env), TRANSFORMATION);
    if (first) fields.addAll(first, TRANSFORMATION);
  }
  // EXISTS: only which rows the subquery finds matters, which its dataset-level lineage says.
  fields.addAll(result.datasetLevel);
  return fields;
}

/** The parameter names of a lambda's left side: `x` or `(x, i)`. */
function lambdaParameters(lhs: AstNode | undefined): string[] {
  if (!lhs) return [];
  if (lhs.class === "COLUMN_REF") return strings(lhs, "column_names").map((n) => n.toLowerCase());
  return children(lhs, "children").flatMap(lambdaParameters);
}

/** Expressions directly under a node of a class this walker has no rule for. */
function nestedExpressions(node: AstNode): AstNode[] {
  const found: AstNode[] = [];
  for (const value of Object.values(node)) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (isNode(item) && typeof item.class === "string") found.push(item);
    }
  }
  return found;
}
