import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";
import { sqlTokens } from "./sql-tokens.js";

/**
 * DuckDB's own parser, reached through a private in-memory DuckDB: `json_serialize_sql`
 * turns a SELECT into its AST as JSON, `json_deserialize_sql` turns an AST back into SQL
 * text (which is how DuckDB names an unaliased output column). One connection, created on
 * first use and shared; calls are queued on it one at a time. The client is imported
 * lazily, so loading weir does not load DuckDB for lineage.
 */

export type ParsedSelect = { ok: true; statements: unknown[] } | { ok: false; reason: string };

let connection: Promise<DuckDBConnection> | undefined;
let lane: Promise<unknown> = Promise.resolve();
/** Prepared once per text: a prepared call costs half of a fresh one. */
const prepared = new Map<string, DuckDBPreparedStatement>();

function connect(): Promise<DuckDBConnection> {
  connection ??= (async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    return instance.connect();
  })().catch((error: unknown) => {
    connection = undefined;
    throw error;
  });
  return connection;
}

/** Runs `work` on the shared connection after every call queued before it. */
function serial<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const run = lane.then(async () => work(await connect()));
  lane = run.catch(() => undefined);
  return run;
}

/** The first row of `sql` run with VARCHAR parameters, as a prepared statement kept for the next call. */
function firstRow(sql: string, params: readonly string[]): Promise<unknown[]> {
  return serial(async (conn) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = await conn.prepare(sql);
      prepared.set(sql, statement);
    }
    params.forEach((value, i) => {
      statement.bindVarchar(i + 1, value);
    });
    return (await statement.runAndReadAll()).getRows()[0] ?? [];
  });
}

/** Parsed ASTs by SQL text: pipelines run the same statements every day. */
const cache = new Map<string, ParsedSelect>();
const CACHE_SIZE = 2000;

/**
 * The AST of a SELECT (one statement per entry of `statements`), or why DuckDB's parser
 * refused it.
 *
 * @example
 * const parsed = await parseSelect("SELECT a FROM t");
 * if (parsed.ok) console.log(parsed.statements[0]);
 */
export async function parseSelect(sql: string): Promise<ParsedSelect> {
  const hit = cache.get(sql);
  if (hit) return hit;
  const text = String((await firstRow("SELECT json_serialize_sql($1::VARCHAR)", [sql]))[0] ?? "");
  const json = JSON.parse(text) as {
    error?: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  const parsed: ParsedSelect =
    json.error === true || !Array.isArray(json.statements)
      ? { ok: false, reason: parserMessage(json.error_type, json.error_message) }
      : { ok: true, statements: json.statements };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(sql, parsed);
  return parsed;
}

function parserMessage(type: string | undefined, message: string | undefined): string {
  const text = (message ?? "DuckDB's parser refused the statement").replace(/\s+/g, " ").trim();
  // json_serialize_sql refuses anything but SELECT with this message.
  if (/only SELECT statements can be serialized/i.test(text)) return "not a SELECT statement";
  return type ? `${type}: ${text}` : text;
}

/**
 * DuckDB's text for each expression AST, as it names an unaliased output column
 * (`sum(c)`, `(a + 1)`, `CAST(a AS INTEGER)`), in one round trip: the expressions are
 * printed as one select list and split at its top-level commas.
 */
export async function expressionTexts(expressions: readonly unknown[]): Promise<string[]> {
  if (expressions.length === 0) return [];
  const [printed] = await firstRow("SELECT json_deserialize_sql($1::JSON)", [statementJson(expressions)]);
  const list = String(printed ?? "").replace(/^SELECT /, "");
  const commas = sqlTokens(list).filter((t) => t.text === "," && t.depth === 0);
  if (commas.length === expressions.length - 1) {
    const bounds = [0, ...commas.map((c) => c.start), list.length];
    return expressions.map((_, i) => list.slice(i === 0 ? 0 : bounds[i]! + 1, bounds[i + 1]).trim());
  }
  // Not one item per expression (never seen): print them one at a time.
  const params = expressions.map((e) => statementJson([e]));
  const calls = params.map((_, i) => `json_deserialize_sql($${i + 1}::JSON)`).join(", ");
  return (await firstRow(`SELECT ${calls}`, params)).map((text) => String(text).replace(/^SELECT /, ""));
}

function statementJson(expressions: readonly unknown[]): string {
  return JSON.stringify(
    { error: false, statements: [{ node: selectOf(expressions), named_param_map: [] }] },
    // Positions are 64-bit integers JSON.parse cannot keep exactly; the deserialiser needs none.
    (key, value) => (key === "query_location" ? undefined : value),
  );
}

function selectOf(expressions: readonly unknown[]): unknown {
  return {
    type: "SELECT_NODE",
    modifiers: [],
    cte_map: { map: [] },
    select_list: expressions,
    from_table: { type: "EMPTY", alias: "", sample: null },
    where_clause: null,
    group_expressions: [],
    group_sets: [],
    aggregate_handling: "STANDARD_HANDLING",
    having: null,
    sample: null,
    qualify: null,
  };
}
