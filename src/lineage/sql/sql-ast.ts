/**
 * Reading DuckDB's serialised AST (`json_serialize_sql`): plain JSON objects with a `class`
 * (expressions) or a `type` (query nodes, FROM items). Accessors here never throw on a
 * shape they do not expect; they answer empty, so an unfamiliar node degrades lineage
 * instead of failing it.
 */

export type AstNode = Record<string, unknown>;

export function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(node: AstNode | undefined, key: string): string {
  const value = node?.[key];
  return typeof value === "string" ? value : "";
}

export function child(node: AstNode | undefined, key: string): AstNode | undefined {
  const value = node?.[key];
  return isNode(value) ? value : undefined;
}

export function children(node: AstNode | undefined, key: string): AstNode[] {
  const value = node?.[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function strings(node: AstNode | undefined, key: string): string[] {
  const value = node?.[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** An expression's alias (`… AS name`), or undefined. */
export function aliasOf(expression: AstNode): string | undefined {
  const alias = expression.alias;
  return typeof alias === "string" && alias.length > 0 ? alias : undefined;
}

/** The value of a constant expression (`'x'`, `3`), or undefined when it is not one. */
export function constantValue(expression: AstNode | undefined): unknown {
  if (expression?.class !== "CONSTANT") return undefined;
  const value = child(expression, "value");
  if (!value || value.is_null === true) return undefined;
  return value.value;
}

/** A constant integer (`ORDER BY 2`, `GROUP BY 1`): its value, else undefined. */
export function constantInteger(expression: AstNode | undefined): number | undefined {
  if (expression?.class !== "CONSTANT") return undefined;
  const type = text(child(child(expression, "value"), "type"), "id");
  const value = constantValue(expression);
  if (!["INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UINTEGER", "UBIGINT"].includes(type)) {
    return undefined;
  }
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** The lower-case name of a function node. */
export function functionName(expression: AstNode): string {
  return text(expression, "function_name").toLowerCase();
}

/** The query node of a `{ node }` statement or subquery wrapper (or the node itself). */
export function queryNode(value: unknown): AstNode | undefined {
  if (!isNode(value)) return undefined;
  if (isNode(value.node)) return value.node;
  return typeof value.type === "string" ? value : undefined;
}
