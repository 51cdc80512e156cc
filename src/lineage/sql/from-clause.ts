import type { ExpressionEnv } from "./expression-lineage.js";
import { expressionFields } from "./expression-lineage.js";
import { FieldSet } from "./field-set.js";
import { baseTableDataset, filePaths } from "./from-datasets.js";
import { FILE_READERS } from "./function-kinds.js";
import type { LineageContext } from "./lineage-context.js";
import { isFileName } from "./lineage-types.js";
import { duckdbUniqueNames } from "./output-names.js";
import type { OutputColumn, Relation } from "./relations.js";
import { DatasetRelation, DerivedRelation, FunctionRelation, renamedRelation } from "./relations.js";
import type { CteEntry, CteScope, QueryResult, Scope } from "./scope.js";
import { findCte } from "./scope.js";
import { type AstNode, child, children, functionName, isNode, queryNode, strings, text } from "./sql-ast.js";
import { indirect } from "./transformations.js";

/** What the FROM clause needs from the query evaluator. */
export interface QueryEvaluation {
  readonly ctx: LineageContext;
  evaluate(node: AstNode, outer: Scope | undefined, ctes: CteScope | undefined): QueryResult;
  cteResult(entry: CteEntry): QueryResult;
  env(scope: Scope): ExpressionEnv;
}

const JOIN = indirect("JOIN");

/**
 * Adds the relations of a FROM item to `scope` (in order: `*` expands in this order), the
 * datasets it reads to the context's inputs, and its join columns (ON, USING, NATURAL) and
 * the dataset-level lineage of the subqueries and CTEs it reads to `datasetLevel`.
 */
export function addFromItem(
  item: AstNode | undefined,
  scope: Scope,
  datasetLevel: FieldSet,
  q: QueryEvaluation,
): void {
  if (!item) return;
  switch (item.type) {
    case "EMPTY":
      return;
    case "BASE_TABLE":
      scope.relations.push(baseTable(item, scope, datasetLevel, q));
      return;
    case "SUBQUERY": {
      const node = queryNode(child(item, "subquery"));
      if (!node) return;
      const result = q.evaluate(node, lateralScope(scope), scope.ctes);
      datasetLevel.addAll(result.datasetLevel);
      const alias = text(item, "alias") || "unnamed_subquery";
      const relation = new DerivedRelation(relationOutputs(result, q.ctx), result.passthrough, alias);
      scope.relations.push(withColumnAliases(relation, item, alias, q.ctx));
      return;
    }
    case "TABLE_FUNCTION":
      scope.relations.push(tableFunction(item, scope, q));
      return;
    case "EXPRESSION_LIST":
      scope.relations.push(valuesList(item, scope, q));
      return;
    case "JOIN":
      join(item, scope, datasetLevel, q);
      return;
    case "PIVOT":
      scope.relations.push(pivot(item, scope, datasetLevel, q));
      return;
    default:
      q.ctx.note(`a FROM item of type ${String(item.type)} is not traced`);
  }
}

function baseTable(item: AstNode, scope: Scope, datasetLevel: FieldSet, q: QueryEvaluation): Relation {
  const name = text(item, "table_name");
  const schema = text(item, "schema_name");
  const catalog = text(item, "catalog_name");
  const alias = text(item, "alias");
  if (!schema && !catalog) {
    const cte = findCte(scope.ctes, name);
    if (cte) {
      const result = q.cteResult(cte);
      datasetLevel.addAll(result.datasetLevel);
      const relation = new DerivedRelation(
        relationOutputs(result, q.ctx),
        result.passthrough,
        alias || name,
        name,
      );
      return withColumnAliases(relation, item, alias || name, q.ctx);
    }
  }
  const dataset = baseTableDataset(item);
  const table = isFileName(dataset) ? undefined : dataset;
  // A replacement scan (`FROM 'data/x.parquet'`) is qualified as `x`.
  const relationAlias = alias || (table ? name : (name.split(/[\\/]/).pop() ?? name).replace(/\..*$/, ""));
  q.ctx.read(dataset);
  const relation = new DatasetRelation(
    [dataset],
    q.ctx.columnsOf(dataset),
    relationAlias,
    alias ? undefined : table,
  );
  return withColumnAliases(relation, item, relationAlias, q.ctx);
}

/** A query's columns as a FROM relation has them: DuckDB makes repeated names unique. */
function relationOutputs(result: QueryResult, ctx: LineageContext): OutputColumn[] {
  if (ctx.dialect !== "duckdb") return result.outputs;
  const names = duckdbUniqueNames(result.outputs.map((o) => o.name));
  return result.outputs.map((o, i) => (o.name === names[i] ? o : { ...o, name: names[i]! }));
}

/** `AS a(c1, c2)` on a FROM item. */
function withColumnAliases(relation: Relation, item: AstNode, alias: string, ctx: LineageContext): Relation {
  const names = strings(item, "column_name_alias");
  if (names.length === 0) return relation;
  if (relation.star().unknown !== undefined) {
    ctx.note(
      `column aliases on ${relation.label}, whose columns are unknown: the renamed columns are not traced`,
    );
  }
  return renamedRelation(relation, names, alias);
}

/** What a FROM subquery or table function sees: the outer query, and (LATERAL) the items before it. */
function lateralScope(scope: Scope): Scope {
  return {
    relations: [...scope.relations],
    using: new Map(scope.using),
    ...(scope.parent ? { parent: scope.parent } : {}),
    ...(scope.ctes ? { ctes: scope.ctes } : {}),
  };
}

function tableFunction(item: AstNode, scope: Scope, q: QueryEvaluation): Relation {
  const fn = child(item, "function");
  const name = fn ? functionName(fn) : "";
  const alias = text(item, "alias") || name;
  if (FILE_READERS.has(name)) {
    const files = filePaths(children(fn, "children")[0]);
    if (files.length > 0) {
      const datasets = files.map((file) => ({ file }));
      for (const dataset of datasets) q.ctx.read(dataset);
      const relation = new DatasetRelation(datasets, q.ctx.columnsOf(datasets[0]!), alias);
      return withColumnAliases(relation, item, alias, q.ctx);
    }
    q.ctx.note(`${name}(…) names its files with an expression, not a literal: the files read are unknown`);
    return new FunctionRelation(alias, undefined, new FieldSet());
  }
  const env = q.env(lateralScope(scope));
  const fields = new FieldSet();
  for (const argument of children(fn, "children")) fields.addAll(expressionFields(argument, env));
  const names = strings(item, "column_name_alias");
  return new FunctionRelation(alias, names.length > 0 ? names : undefined, fields, `${name}(…)`);
}

function valuesList(item: AstNode, scope: Scope, q: QueryEvaluation): Relation {
  const rows = Array.isArray(item.values) ? item.values.filter(Array.isArray) : [];
  const env = q.env(lateralScope(scope));
  const width = Math.max(0, ...rows.map((row) => row.length));
  const expected = strings(item, "expected_names");
  const outputs: OutputColumn[] = [];
  for (let i = 0; i < width; i++) {
    const fields = new FieldSet();
    for (const row of rows) {
      const value = row[i];
      if (isNode(value)) fields.addAll(expressionFields(value, env));
    }
    const name = expected[i] ?? (q.ctx.dialect === "postgres" ? `column${i + 1}` : `col${i}`);
    outputs.push({ name, fields });
  }
  const alias = text(item, "alias") || "valueslist";
  return new DerivedRelation(outputs, [], alias, "VALUES");
}

function join(item: AstNode, scope: Scope, datasetLevel: FieldSet, q: QueryEvaluation): void {
  const before = scope.relations.length;
  addFromItem(child(item, "left"), scope, datasetLevel, q);
  const leftRelations = scope.relations.slice(before);
  addFromItem(child(item, "right"), scope, datasetLevel, q);
  const rightRelations = scope.relations.slice(before + leftRelations.length);
  const joinType = text(item, "join_type");
  if (joinType === "SEMI" || joinType === "ANTI") {
    for (const relation of rightRelations) relation.inStar = false;
  }
  const condition = child(item, "condition");
  if (condition) datasetLevel.addAll(expressionFields(condition, q.env(scope)), JOIN);
  let using = strings(item, "using_columns");
  if (text(item, "ref_type") === "NATURAL") {
    using = commonColumns(leftRelations, rightRelations);
    if (using.length === 0)
      q.ctx.note("a NATURAL join whose common columns are unknown: its join columns are not traced");
  }
  for (const column of using) {
    const left = owner(leftRelations, column);
    const right = owner(rightRelations, column);
    if (left) datasetLevel.addAll(left.lookup(column), JOIN);
    if (right) datasetLevel.addAll(right.lookup(column), JOIN);
    // An unqualified USING column is the left side's (the right's for a RIGHT join).
    const side = joinType === "RIGHT" ? (right ?? left) : (left ?? right);
    if (side) scope.using.set(column.toLowerCase(), side);
  }
}

function owner(relations: readonly Relation[], column: string): Relation | undefined {
  return relations.find((r) => r.has(column) === "yes") ?? relations.find((r) => r.has(column) === "maybe");
}

function commonColumns(left: readonly Relation[], right: readonly Relation[]): string[] {
  const names = (relations: readonly Relation[]) =>
    relations.flatMap((r) => r.star().columns.map((c) => c.name));
  const rightNames = new Set(names(right).map((n) => n.toLowerCase()));
  return names(left).filter((n) => rightNames.has(n.toLowerCase()));
}

/** PIVOT / UNPIVOT: every output column traced to the pivot's inputs as a whole. */
function pivot(item: AstNode, scope: Scope, datasetLevel: FieldSet, q: QueryEvaluation): Relation {
  const inner: Scope = { relations: [], using: new Map(), ...(scope.ctes ? { ctes: scope.ctes } : {}) };
  if (scope.parent) inner.parent = scope.parent;
  addFromItem(child(item, "source"), inner, datasetLevel, q);
  const fields = new FieldSet();
  for (const relation of inner.relations) {
    for (const column of relation.star().columns) fields.addAll(column.fields);
  }
  const env = q.env(inner);
  for (const aggregate of children(item, "aggregates")) fields.addAll(expressionFields(aggregate, env));
  for (const p of children(item, "pivots")) {
    for (const expression of children(p, "pivot_expressions"))
      fields.addAll(expressionFields(expression, env));
  }
  q.ctx.note("PIVOT / UNPIVOT: the output columns are traced to the pivot's inputs as a whole");
  return new FunctionRelation(text(item, "alias") || "pivot", undefined, fields, "PIVOT");
}
