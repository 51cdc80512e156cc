import type { FileName, TableName } from "./lineage-types.js";
import { type SqlToken, SqlTokenError, sqlTokens } from "./sql-tokens.js";

/**
 * A statement split into the write around its query and the query itself. DuckDB's
 * `json_serialize_sql` serialises SELECT statements only, so `CREATE … AS`, `INSERT … SELECT`
 * and `COPY (…) TO` are taken apart here and their SELECT parsed alone.
 */
export type StatementShape =
  | { kind: "select"; selectSql: string }
  | {
      kind: "create_table_as" | "create_view_as";
      target: TableName;
      /** `CREATE VIEW v (a, b) AS …`: the output columns' names, by position. */
      columnNames?: string[];
      selectSql: string;
    }
  | {
      kind: "insert_select";
      target: TableName;
      /** `INSERT INTO t (a, b) …`: the target columns, by position. */
      columnNames?: string[];
      /** `INSERT INTO t BY NAME SELECT …` (DuckDB): columns matched by name. */
      byName: boolean;
      /** Undefined for `DEFAULT VALUES`. */
      selectSql?: string;
    }
  | { kind: "copy_to"; target?: FileName; selectSql: string }
  | { kind: "other"; reason: string; unparsable?: boolean };

const QUERY_STARTS = new Set(["SELECT", "VALUES", "FROM", "TABLE", "WITH"]);
const MAIN_KEYWORDS = new Set(["SELECT", "VALUES", "FROM", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE"]);

/**
 * The shape of one SQL statement.
 *
 * @example
 * statementShape('INSERT INTO dw.t (a) SELECT x FROM s ON CONFLICT (a) DO NOTHING');
 * // { kind: "insert_select", target: { schema: "dw", name: "t" }, columnNames: ["a"], byName: false, selectSql: "SELECT x FROM s" }
 */
export function statementShape(sql: string): StatementShape {
  let tokens: SqlToken[];
  try {
    tokens = sqlTokens(sql);
  } catch (error) {
    if (error instanceof SqlTokenError) return { kind: "other", reason: error.message, unparsable: true };
    throw error;
  }
  const terminators = tokens.filter((t) => t.text === ";" && t.depth === 0);
  const last = terminators[0];
  if (last !== undefined) {
    const after = tokens.filter((t) => t.start > last.start && t.text !== ";");
    if (after.length > 0) {
      return {
        kind: "other",
        reason: `the SQL text holds ${terminators.length + 1} statements; lineage is derived from one statement at a time`,
        unparsable: true,
      };
    }
    tokens = tokens.filter((t) => t.start < last.start);
  }
  tokens = withoutLockingClause(tokens);
  const first = tokens[0];
  if (!first) return { kind: "other", reason: "the SQL text holds no statement", unparsable: true };
  const end = tokens[tokens.length - 1]!.end;

  if (
    first.text === "(" ||
    (first.kind === "word" && QUERY_STARTS.has(first.value) && first.value !== "WITH")
  ) {
    return { kind: "select", selectSql: sql.slice(first.start, end) };
  }
  if (first.kind === "word" && first.value === "WITH") {
    const main = tokens.find(
      (t, i) => i > 0 && t.depth === 0 && t.kind === "word" && MAIN_KEYWORDS.has(t.value),
    );
    if (!main)
      return { kind: "other", reason: "a WITH clause without a statement after it", unparsable: true };
    if (main.value === "INSERT") {
      const index = tokens.indexOf(main);
      const insert = insertShape(sql, tokens.slice(index), end);
      if (insert.kind === "insert_select" && insert.selectSql !== undefined) {
        insert.selectSql = `${sql.slice(first.start, main.start)}${insert.selectSql}`;
      }
      return insert;
    }
    if (MAIN_KEYWORDS.has(main.value) && QUERY_STARTS.has(main.value)) {
      return { kind: "select", selectSql: sql.slice(first.start, end) };
    }
    return otherStatement(main.value);
  }
  if (first.kind === "word" && first.value === "CREATE") return createShape(sql, tokens, end);
  if (first.kind === "word" && first.value === "INSERT") return insertShape(sql, tokens, end);
  if (first.kind === "word" && first.value === "COPY") return copyShape(sql, tokens);
  return otherStatement(first.kind === "word" ? first.value : first.text);
}

function otherStatement(keyword: string): StatementShape {
  return {
    kind: "other",
    reason: `${keyword}: column lineage is derived from SELECT, CREATE TABLE|VIEW … AS, INSERT … SELECT and COPY (…) TO statements only`,
  };
}

/** `CREATE [OR REPLACE] [TEMP] TABLE|VIEW [IF NOT EXISTS] name [(cols)] [WITH (…)] AS <query> [WITH [NO] DATA]`. */
function createShape(sql: string, tokens: SqlToken[], end: number): StatementShape {
  let i = 1;
  const word = () => (tokens[i]?.kind === "word" ? tokens[i]!.value : undefined);
  if (word() === "OR" && tokens[i + 1]?.value === "REPLACE") i += 2;
  while (["GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"].includes(word() ?? "")) i++;
  let kind: "create_table_as" | "create_view_as";
  if (word() === "TABLE") {
    kind = "create_table_as";
    i++;
  } else if (word() === "VIEW" || word() === "RECURSIVE") {
    kind = "create_view_as";
    i += word() === "RECURSIVE" ? 2 : 1;
  } else if (word() === "MATERIALIZED" && tokens[i + 1]?.value === "VIEW") {
    kind = "create_view_as";
    i += 2;
  } else {
    return otherStatement(`CREATE ${word() ?? tokens[i]?.text ?? ""}`.trim());
  }
  if (word() === "IF" && tokens[i + 1]?.value === "NOT" && tokens[i + 2]?.value === "EXISTS") i += 3;
  const name = qualifiedName(tokens, i);
  if (!name) return { kind: "other", reason: "CREATE without a table or view name", unparsable: true };
  i = name.next;
  let columnNames: string[] | undefined;
  if (tokens[i]?.text === "(") {
    const list = identifierList(tokens, i);
    if (list) {
      columnNames = list.names;
      i = list.next;
    }
  }
  const as = tokens.findIndex((t, k) => k >= i && t.depth === 0 && t.kind === "word" && t.value === "AS");
  if (as < 0) return otherStatement(kind === "create_table_as" ? "CREATE TABLE without AS" : "CREATE VIEW");
  const queryStart = tokens[as + 1];
  if (!queryStart) return { kind: "other", reason: "CREATE … AS without a query", unparsable: true };
  let queryEnd = end;
  // PostgreSQL's `WITH [NO] DATA` after the query.
  const n = tokens.length;
  if (tokens[n - 1]?.value === "DATA" && tokens[n - 1]?.depth === 0) {
    const withAt = tokens[n - 2]?.value === "NO" ? n - 3 : n - 2;
    if (tokens[withAt]?.value === "WITH" && withAt > as) queryEnd = tokens[withAt - 1]!.end;
  }
  return {
    kind,
    target: name.table,
    ...(columnNames ? { columnNames } : {}),
    selectSql: sql.slice(queryStart.start, queryEnd),
  };
}

/** `INSERT [OR REPLACE|IGNORE] INTO name [AS alias] [(cols)] [BY NAME] <query> [ON CONFLICT …] [RETURNING …]`. */
function insertShape(sql: string, tokens: SqlToken[], end: number): StatementShape {
  let i = 1;
  if (tokens[i]?.value === "OR" && ["REPLACE", "IGNORE"].includes(tokens[i + 1]?.value ?? "")) i += 2;
  if (tokens[i]?.value !== "INTO") return { kind: "other", reason: "INSERT without INTO", unparsable: true };
  const name = qualifiedName(tokens, i + 1);
  if (!name) return { kind: "other", reason: "INSERT INTO without a table name", unparsable: true };
  i = name.next;
  if (tokens[i]?.kind === "word" && tokens[i]?.value === "AS") i += 2;
  let columnNames: string[] | undefined;
  if (tokens[i]?.text === "(") {
    const list = identifierList(tokens, i);
    // `INSERT INTO t (SELECT …)` is a parenthesised query, not a column list.
    if (list) {
      columnNames = list.names;
      i = list.next;
    }
  }
  let byName = false;
  if (tokens[i]?.value === "BY" && ["NAME", "POSITION"].includes(tokens[i + 1]?.value ?? "")) {
    byName = tokens[i + 1]!.value === "NAME";
    i += 2;
  }
  if (tokens[i]?.value === "OVERRIDING") i += 3;
  const base = {
    kind: "insert_select" as const,
    target: name.table,
    byName,
    ...(columnNames ? { columnNames } : {}),
  };
  if (tokens[i]?.value === "DEFAULT" && tokens[i + 1]?.value === "VALUES") return base;
  const queryStart = tokens[i];
  if (!queryStart) return { kind: "other", reason: "INSERT without a query or VALUES", unparsable: true };
  let queryEnd = end;
  for (let k = i; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.depth !== 0 || t.kind !== "word") continue;
    const conflict = t.value === "ON" && tokens[k + 1]?.value === "CONFLICT";
    if (conflict || t.value === "RETURNING") {
      queryEnd = k > i ? tokens[k - 1]!.end : queryStart.start;
      break;
    }
  }
  return { ...base, selectSql: sql.slice(queryStart.start, queryEnd) };
}

/** `COPY (<query>) TO 'path' (…)` or `COPY name [(cols)] TO 'path'`; `COPY … FROM` loads and is not a query. */
function copyShape(sql: string, tokens: SqlToken[]): StatementShape {
  let selectSql: string;
  let i: number;
  if (tokens[1]?.text === "(") {
    const close = tokens.findIndex((t, k) => k > 1 && t.text === ")" && t.depth === 0);
    if (close < 0)
      return { kind: "other", reason: "COPY ( without its closing parenthesis", unparsable: true };
    selectSql = sql.slice(tokens[2]!.start, tokens[close - 1]!.end);
    i = close + 1;
  } else {
    const name = qualifiedName(tokens, 1);
    if (!name) return { kind: "other", reason: "COPY without a table or query", unparsable: true };
    const nameText = sql.slice(tokens[1]!.start, tokens[name.next - 1]!.end);
    i = name.next;
    let columns = "*";
    if (tokens[i]?.text === "(") {
      const list = identifierList(tokens, i);
      if (!list) return { kind: "other", reason: "COPY with an unreadable column list", unparsable: true };
      columns = sql.slice(tokens[i + 1]!.start, tokens[list.next - 2]!.end);
      i = list.next;
    }
    selectSql = `SELECT ${columns} FROM ${nameText}`;
  }
  if (tokens[i]?.value === "FROM") {
    return { kind: "other", reason: "a COPY … FROM statement loads a file: no query to derive lineage from" };
  }
  if (tokens[i]?.value !== "TO") return { kind: "other", reason: "COPY without TO", unparsable: true };
  const target = tokens[i + 1];
  return {
    kind: "copy_to",
    ...(target?.kind === "string" ? { target: { file: target.value } } : {}),
    selectSql,
  };
}

/**
 * The tokens without PostgreSQL's trailing row-locking clause (`FOR UPDATE [OF t] [SKIP
 * LOCKED]`, `FOR SHARE`…), which DuckDB's parser refuses and which changes no lineage.
 */
function withoutLockingClause(tokens: SqlToken[]): SqlToken[] {
  const at = tokens.findIndex(
    (t, i) =>
      t.depth === 0 &&
      t.kind === "word" &&
      t.value === "FOR" &&
      ["UPDATE", "SHARE", "NO", "KEY"].includes(tokens[i + 1]?.value ?? "") &&
      i > 0,
  );
  return at < 0 ? tokens : tokens.slice(0, at);
}

/** `a`, `s.a`, `c.s.a` (quoted or not) from token `start`: the table and the token after it. */
function qualifiedName(tokens: SqlToken[], start: number): { table: TableName; next: number } | undefined {
  const parts: string[] = [];
  let i = start;
  for (;;) {
    const t = tokens[i];
    if (!t || (t.kind !== "word" && t.kind !== "identifier")) return undefined;
    parts.push(t.kind === "identifier" ? t.value : t.text);
    i++;
    if (tokens[i]?.text !== "." || parts.length === 3) break;
    i++;
  }
  const [a, b, c] = parts;
  const table: TableName =
    parts.length === 3
      ? { catalog: a!, schema: b!, name: c! }
      : parts.length === 2
        ? { schema: a!, name: b! }
        : { name: a! };
  return { table, next: i };
}

/** `(a, "B", c)` from the `(` at `start`: the names and the token after `)`; undefined when not a plain list. */
function identifierList(tokens: SqlToken[], start: number): { names: string[]; next: number } | undefined {
  const names: string[] = [];
  let i = start + 1;
  for (;;) {
    const t = tokens[i];
    if (!t || (t.kind !== "word" && t.kind !== "identifier")) return undefined;
    if (t.kind === "word" && QUERY_STARTS.has(t.value)) return undefined;
    names.push(t.kind === "identifier" ? t.value : t.text);
    const after = tokens[i + 1];
    if (after?.text === ")") return { names, next: i + 2 };
    if (after?.text !== ",") return undefined;
    i += 2;
  }
}
