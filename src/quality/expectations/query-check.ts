import type { Engine } from "../../engines/engine.js";
import { codeTokens, scanSql } from "../../engines/scan-sql.js";
import { internalNames } from "../internal-names.js";
import type { Outcome } from "./expectation-definition.js";
import { EXPECTATION_SQL } from "./expectation-sql.js";
import { toCount } from "./result-values.js";

const BATCH = "weir_batch";

/**
 * The user's query with `{batch}` bound to the dataset (filtered by `row_condition`) as a
 * CTE. A query that starts with its own WITH gets the CTE added to its list. Only a
 * `{batch}` in code is bound: one inside a string, quoted name or comment is text.
 */
export function bindBatch(engine: Engine, from: string, sql: string, rowCondition: unknown): string {
  // A `{` that is code, followed by `batch}`, is code too: the word and the brace.
  const spans = codeTokens(scanSql(sql)).filter(
    (t) => t.kind === "symbol" && t.value === "{" && sql.startsWith("{batch}", t.start),
  );
  if (spans.length === 0) return sql;
  const q = engine.dialect.quoteIdent(BATCH);
  let body = "";
  let at = 0;
  for (const span of spans) {
    body += `${sql.slice(at, span.start)}${q}`;
    at = span.start + "{batch}".length;
  }
  body += sql.slice(at);
  const where = typeof rowCondition === "string" ? ` WHERE COALESCE((${rowCondition}), FALSE)` : "";
  const cte = `${q} AS (SELECT * FROM ${from}${where})`;
  const [first, second] = codeTokens(scanSql(body));
  if (first?.value !== "with") return `WITH ${cte}\n${body}`;
  const recursive = second?.value === "recursive" ? second : undefined;
  const after = (recursive ?? first).end;
  return `${body.slice(0, first.start)}WITH ${recursive ? "RECURSIVE " : ""}${cte},\n${body.slice(after)}`;
}

/**
 * Runs a SQL check: its rows are failures. One statement returns the first `sampleSize`
 * rows, ordered by every column (text by code point), with the total count as a window.
 */
export async function runQueryCheck(
  engine: Engine,
  from: string,
  sql: string,
  rowCondition: unknown,
  sampleSize: number,
): Promise<Outcome> {
  const bound = bindBatch(engine, from, sql, rowCondition);
  let fields: { name: string; type: string }[] = [];
  // The newline ends a comment the query may close with, so it cannot swallow weir's SQL.
  for await (const batch of engine.stream(`SELECT * FROM (${bound}\n) AS weir_rows LIMIT 0`)) {
    fields = batch.schema.fields;
    break;
  }
  const d = engine.dialect;
  const names = fields.map((f) => f.name);
  // The count's name is one no column of the query has, so it cannot hide one.
  const total = internalNames(names).column("total");
  const unique = new Set(names).size === names.length;
  // Duplicate column names cannot be ordered by name; ordinals still give a stable order.
  const order = unique
    ? fields.map((f) =>
        f.type === "varchar"
          ? EXPECTATION_SQL[engine.kind].binaryOrder(d.quoteIdent(f.name))
          : d.quoteIdent(f.name),
      )
    : fields.map((_, i) => String(i + 1));
  const orderBy = order.length === 0 ? "" : ` ORDER BY ${order.join(", ")}`;
  const rows = await engine.query(
    `SELECT *, count(*) OVER () AS ${d.quoteIdent(total)} FROM (${bound}\n) AS weir_rows${orderBy} LIMIT ${Math.max(1, sampleSize)}`,
  );
  const count = rows.length === 0 ? 0 : toCount(rows[0]![total]);
  const sample = rows.slice(0, sampleSize).map((row) => {
    const { [total]: _total, ...rest } = row;
    return rest;
  });
  return {
    success: count === 0,
    result: { observed_value: count, unexpected_count: count, partial_unexpected_list: sample },
  };
}
