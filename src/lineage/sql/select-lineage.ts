import { LineageContext, type SelectLineageOptions } from "./lineage-context.js";
import type { ColumnLineage, DatasetName, InputField, SyncColumnCatalog } from "./lineage-types.js";
import { QueryEvaluator } from "./query-evaluator.js";
import { type AstNode, isNode, queryNode } from "./sql-ast.js";

export interface SelectLineage {
  columns: ColumnLineage[];
  datasetLevel: InputField[];
  /** Every table, view or file read, in order of appearance. */
  inputs: DatasetName[];
  /** What could not be traced (a `*` over unknown columns, an ambiguous name…); empty when all was. */
  notes: string[];
  /**
   * Output columns DuckDB names by the expression's text (`sum(c)`): their position and
   * expression. `columns` holds a provisional name for them (PostgreSQL's rule);
   * `statementLineage` asks DuckDB for the text.
   */
  unnamed: { index: number; expression: AstNode }[];
}

/**
 * Column lineage of a query from its DuckDB AST (`json_serialize_sql`'s output, one of its
 * statements, or a query node): the pure part of `statementLineage`, without the parser.
 *
 * @example
 * const lineage = selectLineage(ast, { columnsOf: (t) => (t.name === "t" ? ["a", "b"] : undefined) });
 * lineage.columns[0]; // { name: "a", inputFields: [{ table: { name: "t" }, field: "a", transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] }] }
 */
export function selectLineage(
  ast: unknown,
  catalog?: SyncColumnCatalog,
  options: SelectLineageOptions = {},
): SelectLineage {
  const ctx = new LineageContext(catalog, options);
  const statements = isNode(ast) && Array.isArray(ast.statements) ? ast.statements : [ast];
  if (statements.length > 1)
    ctx.note(`the AST holds ${statements.length} statements; only the first is traced`);
  const node = queryNode(statements[0]);
  if (!node) {
    ctx.note("no query in the AST");
    return { columns: [], datasetLevel: [], inputs: [], notes: ctx.readNotes(), unnamed: [] };
  }
  const result = new QueryEvaluator(ctx).evaluate(node, undefined, undefined);
  const unnamed: SelectLineage["unnamed"] = [];
  result.outputs.forEach((output, index) => {
    if (output.nameExpression) unnamed.push({ index, expression: output.nameExpression });
  });
  return {
    columns: result.outputs.map((o) => ({ name: o.name, inputFields: o.fields.toInputFields() })),
    datasetLevel: result.datasetLevel.toInputFields(),
    inputs: ctx.readInputs(),
    notes: ctx.readNotes(),
    unnamed,
  };
}
