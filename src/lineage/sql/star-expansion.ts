import type { ExpressionEnv } from "./expression-lineage.js";
import { expressionFields } from "./expression-lineage.js";
import type { OutputColumn, Relation } from "./relations.js";
import { ExcludingRelation } from "./relations.js";
import { qualifies } from "./scope.js";
import { type AstNode, child, children, constantValue, isNode, text } from "./sql-ast.js";

/**
 * Expands `*`, `t.*`, `* EXCLUDE (…)`, `* REPLACE (expr AS c)`, `* RENAME (a AS b)` and
 * `COLUMNS('regex')` into output columns, in FROM order; a column named in `USING` once.
 * A relation whose columns are unknown (no catalog entry) cannot be listed: it is noted,
 * and kept in `passthrough` so a query reading this one can still trace the names it uses.
 */
export function expandStar(
  star: AstNode,
  env: ExpressionEnv,
  outputs: OutputColumn[],
  passthrough: Relation[],
): void {
  const { scope, ctx } = env;
  const relationName = text(star, "relation_name");
  const relations = relationName
    ? scope.relations.filter((r) => qualifies(r, relationName.split(".")))
    : scope.relations.filter((r) => r.inStar);
  if (relationName && relations.length === 0) {
    ctx.note(`${relationName}.* names no table in FROM`);
    return;
  }
  const excluded = new Set(
    (Array.isArray(star.exclude_list) ? star.exclude_list : [])
      .filter((e): e is string => typeof e === "string")
      .map((e) => e.toLowerCase()),
  );
  const qualifiedExcludes = children(star, "qualified_exclude_list");
  const replaced = new Map<string, AstNode>();
  for (const entry of children(star, "replace_list")) {
    const value = child(entry, "value");
    if (typeof entry.key === "string" && value) replaced.set(entry.key.toLowerCase(), value);
  }
  const renamed = new Map<string, string>();
  for (const entry of children(star, "rename_list")) {
    const column = text(child(entry, "key"), "column");
    if (column && typeof entry.value === "string") renamed.set(column.toLowerCase(), entry.value);
  }
  const pattern = columnsPattern(star, env);
  if (pattern === null) return;

  for (const relation of relations) {
    const isExcluded = (name: string) =>
      excluded.has(name.toLowerCase()) ||
      qualifiedExcludes.some(
        (q) =>
          text(q, "column").toLowerCase() === name.toLowerCase() &&
          (!text(q, "table") || qualifies(relation, [text(q, "table")])),
      );
    const expanded = relation.star();
    for (const column of expanded.columns) {
      const key = column.name.toLowerCase();
      if (isExcluded(column.name)) continue;
      if (pattern && !pattern.test(column.name)) continue;
      // A USING column appears once, from the side the join keeps.
      const usingSide = relationName ? undefined : scope.using.get(key);
      if (usingSide && usingSide !== relation) continue;
      const replacement = replaced.get(key);
      const name = renamed.get(key) ?? column.name;
      if (replacement) {
        outputs.push({ name, fields: expressionFields(replacement, env) });
      } else {
        outputs.push({ ...column, name, ...(renamed.has(key) ? { nameExpression: undefined } : {}) });
      }
    }
    if (expanded.unknown !== undefined) {
      ctx.note(
        `SELECT * over ${expanded.unknown}: its columns are unknown (no catalog entry), so they are not listed`,
      );
      const listed = new Set(expanded.columns.map((c) => c.name.toLowerCase()));
      // REPLACE names a column that exists even when the others are unknown.
      for (const [key, replacement] of replaced) {
        if (!listed.has(key))
          outputs.push({ name: renamed.get(key) ?? key, fields: expressionFields(replacement, env) });
      }
      const hidden = new Set([...excluded, ...replaced.keys()]);
      passthrough.push(hidden.size > 0 ? new ExcludingRelation(relation, hidden) : relation);
    }
  }
}

/**
 * `COLUMNS('regex')`: the pattern; undefined for a plain star or `COLUMNS(*)`; null (noted)
 * for a form not traced (a lambda or a list).
 */
function columnsPattern(star: AstNode, env: ExpressionEnv): RegExp | undefined | null {
  if (star.columns !== true) return undefined;
  const expression = star.expr;
  if (!isNode(expression)) return undefined;
  const source = constantValue(expression);
  if (typeof source === "string") {
    try {
      return new RegExp(source);
    } catch {
      env.ctx.note(
        `COLUMNS('${source}'): the pattern is not one JavaScript reads, so its columns are not traced`,
      );
      return null;
    }
  }
  env.ctx.note("COLUMNS(…) with a lambda or a list is not traced");
  return null;
}
