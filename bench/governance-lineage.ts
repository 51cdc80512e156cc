/**
 * Column lineage part of `bench/governance.ts`: `statementLineage` over N statements of the
 * shapes weir runs (`governance-statements.ts`), with a catalog callback, one after another
 * as a run would; against the same statements' parse alone — DuckDB's `json_serialize_sql`
 * of the query each statement holds (the text lineage parses), on a private one-thread
 * DuckDB with the statement prepared once, as weir's parser calls it. Each round uses new
 * statement numbers, so no text repeats and lineage's parse cache never answers. Best of
 * `rounds`, the two sides alternating which goes first.
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { statementLineage } from "../src/lineage/sql/column-lineage.js";
import { statementShape } from "../src/lineage/sql/statement-shape.js";
import { rate } from "./governance-pii.js";
import { benchCatalog, benchStatements } from "./governance-statements.js";

export interface LineageBenchOptions {
  statements: number;
  rounds: number;
  log: (line: string) => void;
}

export interface LineageBenchResult {
  name: string;
  /** Lineage time / parse time. */
  ratio: number;
  line: string;
  lineageStatementsPerSecond: number;
  parseStatementsPerSecond: number;
  /** Mean lineage milliseconds per statement, by template (last round). */
  templateMs: Record<string, number>;
}

/** The query part of each statement: what lineage hands DuckDB's parser. */
function queryOf(sql: string): string {
  const shape = statementShape(sql);
  if (shape.kind === "other" || shape.selectSql === undefined) throw new Error(`no query in: ${sql}`);
  return shape.selectSql;
}

/** The baseline parser: a prepared `json_serialize_sql`, as `duckdb-sql-parser.ts` runs it. */
async function openParser(): Promise<{ parse(sql: string): Promise<string>; close(): void }> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn: DuckDBConnection = await instance.connect();
  const statement = await conn.prepare("SELECT json_serialize_sql($1::VARCHAR)");
  return {
    async parse(sql) {
      statement.bindVarchar(1, sql);
      return String((await statement.runAndReadAll()).getRows()[0]?.[0] ?? "");
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export async function benchColumnLineage(o: LineageBenchOptions): Promise<LineageBenchResult> {
  const parser = await openParser();
  const catalog = benchCatalog();
  try {
    // Warm-up of both: DuckDB start-up, lineage's shared parser, JIT.
    const warm = benchStatements(50, 1_000_000);
    for (const s of warm) await parser.parse(queryOf(s.sql));
    for (const s of warm) await statementLineage(s.sql, catalog);

    const best = { parse: Infinity, lineage: Infinity, jsonParse: Infinity };
    let templateMs: Record<string, number> = {};
    let parsedCount = 0;
    let columnCount = 0;
    for (let round = 0; round < o.rounds; round++) {
      const statements = benchStatements(o.statements, 2_000_000 + round * o.statements);
      const queries = statements.map((s) => queryOf(s.sql));
      const parseSide = async () => {
        const texts: string[] = [];
        const start = performance.now();
        for (const q of queries) texts.push(await parser.parse(q));
        best.parse = Math.min(best.parse, performance.now() - start);
        // The AST's JSON read into JS, which lineage also does: reported, not in the baseline.
        const startJson = performance.now();
        const failed = texts.filter((t) => (JSON.parse(t) as { error?: boolean }).error === true).length;
        best.jsonParse = Math.min(best.jsonParse, performance.now() - startJson);
        if (failed > 0) throw new Error(`${failed} bench statements did not parse`);
      };
      const lineageSide = async () => {
        const perTemplate: Record<string, { ms: number; n: number }> = {};
        parsedCount = 0;
        columnCount = 0;
        const start = performance.now();
        for (const s of statements) {
          const t0 = performance.now();
          const lineage = await statementLineage(s.sql, catalog);
          const entry = perTemplate[s.template] ?? { ms: 0, n: 0 };
          entry.ms += performance.now() - t0;
          entry.n++;
          perTemplate[s.template] = entry;
          if (lineage.parsed) parsedCount++;
          columnCount += lineage.columns.length;
        }
        best.lineage = Math.min(best.lineage, performance.now() - start);
        templateMs = Object.fromEntries(
          Object.entries(perTemplate).map(([k, v]) => [k, Math.round((v.ms / v.n) * 1000) / 1000]),
        );
      };
      if (round % 2 === 0) {
        await parseSide();
        await lineageSide();
      } else {
        await lineageSide();
        await parseSide();
      }
      if (parsedCount !== o.statements) {
        throw new Error(`lineage parsed ${parsedCount} of ${o.statements} statements`);
      }
      o.log(
        `column-lineage round ${round + 1}/${o.rounds}: parse best ${best.parse.toFixed(0)} ms, ` +
          `lineage best ${best.lineage.toFixed(0)} ms`,
      );
    }
    const lineageStatementsPerSecond = o.statements / (best.lineage / 1000);
    const parseStatementsPerSecond = o.statements / (best.parse / 1000);
    const ratio = best.lineage / best.parse;
    o.log(
      `column-lineage: ${o.statements} statements (${Object.keys(templateMs).length} shapes), ` +
        `${columnCount} output columns traced, ${catalog.lookups} catalog lookups in all; ` +
        `JSON.parse of the parse results ${best.jsonParse.toFixed(0)} ms`,
    );
    o.log(
      `column-lineage: mean lineage ms per statement by shape: ${Object.entries(templateMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    const name = `governance-column-lineage-${o.statements}`;
    const line =
      `RATIO ${name}: lineage/parse = ${ratio.toFixed(2)} (no target; ` +
      `lineage ${rate(lineageStatementsPerSecond)} statements/s, json_serialize_sql alone ` +
      `${rate(parseStatementsPerSecond)} statements/s; ${best.lineage.toFixed(0)} ms vs ${best.parse.toFixed(0)} ms)`;
    return { name, ratio, line, lineageStatementsPerSecond, parseStatementsPerSecond, templateMs };
  } finally {
    parser.close();
  }
}
