import { codeTokens, type SqlToken, scanSql } from "../../engines/scan-sql.js";

/**
 * A suite's `row_condition` and SQL checks are spliced into weir's own statements: the
 * condition inside parentheses of a SELECT, the query as a subquery. Their text must stay
 * in that place — one boolean expression, one query — or it could end weir's statement and
 * start another (`true), FALSE)) AS a1 FROM t; COPY … TO '/tmp/x'; …`). These checks read
 * the text as the engines' lexer does (`scan-sql.ts`), so a `;` or parenthesis inside a
 * string or quoted name is fine. Behind them the engines run one statement per call and
 * checks run read-only.
 */

/** What a row_condition must be, for messages. */
export const ROW_CONDITION_EXPECTED = "expected one SQL boolean expression, such as country = 'US'";

/** What a SQL check's query must be, for messages. */
export const SQL_CHECK_EXPECTED = "expected one SQL query (SELECT … or WITH …) whose rows are the failures";

/** Words a query can begin with (FROM: DuckDB's FROM-first SELECT). */
const QUERY_START = new Set(["select", "with", "values", "table", "from"]);

/**
 * Why `text` is not usable as a row_condition, or undefined when it is: it must be one
 * expression that stays inside the parentheses weir puts around it, so no `;`, no
 * parenthesis closed that it did not open, and no comment (a `--` would swallow the rest
 * of weir's statement).
 *
 * @example
 * rowConditionProblem("true) OR (1 = 1"); // '")" at character 5 closes a parenthesis …'
 */
export function rowConditionProblem(text: string): string | undefined {
  const scan = scanSql(text);
  if (scan.problem) return scan.problem.message;
  const comment = scan.tokens.find((t) => t.kind === "comment");
  if (comment)
    return `a comment starts at character ${comment.start + 1}, and a row_condition cannot hold one`;
  if (scan.tokens.length === 0) return "it is empty";
  return firstProblem(scan.tokens);
}

/**
 * Why `text` is not usable as a SQL check, or undefined when it is: one query (it begins
 * with SELECT, WITH, VALUES, TABLE, FROM or a parenthesis), no `;`, balanced parentheses.
 * Comments are fine.
 *
 * @example
 * sqlCheckProblem("DELETE FROM t RETURNING *"); // "it begins with DELETE, not a query"
 */
export function sqlCheckProblem(text: string): string | undefined {
  const scan = scanSql(text);
  if (scan.problem) return scan.problem.message;
  const tokens = codeTokens(scan);
  const first = tokens[0];
  if (first === undefined) return "it holds no query";
  const problem = firstProblem(tokens);
  if (problem !== undefined) return problem;
  if (
    !(first.kind === "symbol" && first.value === "(") &&
    !(first.kind === "word" && QUERY_START.has(first.value))
  )
    return `it begins with ${text.slice(first.start, first.end)}, not a query`;
  return undefined;
}

/** The first `;`, or parenthesis out of place, in the text: whichever comes first. */
function firstProblem(tokens: readonly SqlToken[]): string | undefined {
  const open: SqlToken[] = [];
  for (const token of tokens) {
    if (token.kind !== "symbol") continue;
    if (token.value === ";")
      return `";" at character ${token.start + 1} ends a statement, and only one is allowed`;
    if (token.value === "(") open.push(token);
    else if (token.value === ")" && open.pop() === undefined)
      return `")" at character ${token.start + 1} closes a parenthesis the text did not open`;
  }
  const unclosed = open.at(-1);
  return unclosed === undefined ? undefined : `"(" at character ${unclosed.start + 1} is never closed`;
}
