import { looksLikeFile } from "./function-kinds.js";
import type { DatasetName } from "./lineage-types.js";
import { type AstNode, children, constantValue, functionName, text } from "./sql-ast.js";

/**
 * The dataset a BASE_TABLE FROM item names: a table, or a file for DuckDB's replacement
 * scan (`FROM 'data/x.parquet'`).
 */
export function baseTableDataset(item: AstNode): DatasetName {
  const name = text(item, "table_name");
  const schema = text(item, "schema_name");
  const catalog = text(item, "catalog_name");
  if (!schema && !catalog && looksLikeFile(name)) return { file: name };
  return { ...(catalog ? { catalog } : {}), ...(schema ? { schema } : {}), name };
}

/** The literal path(s) a file reader's first argument names: `'x.parquet'` or `['a.csv', 'b.csv']`. */
export function filePaths(argument: AstNode | undefined): string[] {
  if (!argument) return [];
  const value = constantValue(argument);
  if (typeof value === "string") return [value];
  const isList =
    (argument.class === "OPERATOR" && argument.type === "ARRAY_CONSTRUCTOR") ||
    (argument.class === "FUNCTION" && ["list_value", "array_value"].includes(functionName(argument)));
  if (!isList) return [];
  const values = children(argument, "children").map(constantValue);
  return values.every((v): v is string => typeof v === "string") ? values : [];
}
