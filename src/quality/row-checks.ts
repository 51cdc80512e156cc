import { noteDataset, withoutObserver } from "../core/activity-scope.js";
import { ConfigError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { type TableRef, tableLabel } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";
import type { Engine } from "../engines/engine.js";
import { QUALITY_SQL, type QualitySql } from "./engine-sql.js";

/** A row-level check, compiled to a SQL condition that is true when a row FAILS it. */
export type RowCheck =
  | { kind: "not_null"; name: string; column: string }
  | { kind: "matches"; name: string; column: string; pattern: string }
  | { kind: "between"; name: string; column: string; min: number | string; max: number | string }
  | { kind: "unique"; name: string; key: readonly string[]; latestBy: string };

/** The column of a failed row listing every check it failed, `; `-separated. */
export const FAILED_CHECKS_COLUMN = "_weir_checks";
/** The column of a failed row with one human reason per failed check, `; `-separated. */
export const FAILED_REASONS_COLUMN = "_weir_reasons";

/** Fails rows where `column` is NULL. */
export function notNull(column: string, name = `not_null(${column})`): RowCheck {
  return { kind: "not_null", name, column };
}

/** Fails rows whose `column`, as text, does not fully match `pattern`. NULL passes (use `notNull`). */
export function matches(column: string, pattern: RegExp | string, name = `matches(${column})`): RowCheck {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  return { kind: "matches", name, column, pattern: source };
}

/** Fails rows whose `column` lies outside `[min, max]`. NULL passes (use `notNull`). */
export function between(
  column: string,
  min: number | string,
  max: number | string,
  name = `between(${column})`,
): RowCheck {
  return { kind: "between", name, column, min, max };
}

/**
 * Keeps one row per `key`: the latest by `latestBy` (ties broken by the other columns, so
 * the choice is deterministic); every older row fails. Rows with a NULL key are left to
 * `notNull` and never fail this check.
 */
export function uniqueBy(
  key: string | readonly string[],
  options: { latestBy: string },
  name = `unique(${[key].flat().join(", ")})`,
): RowCheck {
  return { kind: "unique", name, key: [key].flat(), latestBy: options.latestBy };
}

export interface CheckRowsOptions {
  source: TableRef;
  /** Replaced with the rows that pass every check (same columns as `source`). */
  passed: TableRef;
  /** Replaced with the failing rows: `source`'s columns + `_weir_checks` + `_weir_reasons`. */
  failed: TableRef;
  checks: readonly RowCheck[];
  /**
   * Make `passed` a view over `<passed>_checked`, a table holding every row with its check
   * flags, instead of a table of its own: the rows are written once, not staged and then
   * copied. For readers that run before the next `checkRows` replaces both. Default false.
   */
  passedAsView?: boolean;
}

export interface CheckRowsResult {
  rowsIn: number;
  passed: number;
  failed: number;
  /** Failing rows per check; a row failing two checks counts under both. */
  byCheck: Record<string, number>;
}

/**
 * Applies row checks in one scan of `source` inside the engine and splits it into a
 * `passed` and a `failed` table. Each failed row carries every check it failed and a
 * human reason per check. No row leaves the engine.
 *
 * @example
 * await checkRows(engine, {
 *   source: { schema: "staging", name: "customers" },
 *   passed: { schema: "staging", name: "customers_ok" },
 *   failed: { schema: "staging", name: "customers_bad" },
 *   checks: [notNull("customer_id"), between("age", 13, 120)],
 * });
 */
export async function checkRows(engine: Engine, options: CheckRowsOptions): Promise<CheckRowsResult> {
  // The split's own layers (flags, window columns) are machinery: lineage gets source → passed, failed.
  const result = await withoutObserver(() => checkRowsUnobserved(engine, options));
  const from = { kind: "table" as const, name: tableLabel(options.source), engine };
  noteDataset({ direction: "input", ...from });
  noteDataset({
    direction: "output",
    kind: "table",
    name: tableLabel(options.passed),
    engine,
    rows: result.passed,
    identityFrom: from,
  });
  noteDataset({
    direction: "output",
    kind: "table",
    name: tableLabel(options.failed),
    engine,
    rows: result.failed,
    identityFrom: from,
  });
  return result;
}

async function checkRowsUnobserved(engine: Engine, options: CheckRowsOptions): Promise<CheckRowsResult> {
  const { checks } = options;
  const d = engine.dialect;
  const sql = QUALITY_SQL[engine.kind];
  const schema = await engine.describe(options.source);
  if (!schema) {
    throw new ConfigError(`row checks: table ${tableLabel(options.source)} does not exist`, {
      details: { table: tableLabel(options.source) },
    });
  }
  const columns = schema.fields.map((f) => f.name);
  const names = new Set<string>();
  for (const check of checks) {
    if (names.has(check.name)) throw new ConfigError(`row checks: two checks are named "${check.name}"`);
    names.add(check.name);
    for (const c of referencedColumns(check)) {
      if (!columns.includes(c)) {
        throw new ConfigError(
          `row check "${check.name}" uses column "${c}", which table ${tableLabel(options.source)} does not have (columns: ${columns.join(", ")})`,
          { details: { table: tableLabel(options.source), column: c, check: check.name } },
        );
      }
    }
  }
  const q = (c: string) => d.quoteIdent(c);
  const lit = (v: string | number) => d.quoteLiteral(v);
  const compiled = checks.map((check, i) => compileCheck(check, i, columns, d, sql));
  // Window columns for `unique` checks are computed in an inner query, compiled outside.
  const windows = compiled.flatMap((c) => c.windows);

  const flag = (i: number) => q(`_weir_fail_${i}`);
  // Layers because SQL cannot read a select-list alias in the same list: window columns,
  // then one boolean per check, then (from the stage below) the lists of names and reasons.
  const ranked = `SELECT *${windows.map((w) => `, ${w}`).join("")} FROM ${d.quoteTable(options.source)}`;
  const flagged = `SELECT *${compiled.map((c, i) => `, COALESCE(${c.fails}, FALSE) AS ${flag(i)}`).join("")} FROM (${ranked}) AS weir_ranked`;
  const checkNames = concat(compiled.map((c, i) => `CASE WHEN ${flag(i)} THEN ${lit(c.name)} END`));
  const reasons = concat(compiled.map((c, i) => `CASE WHEN ${flag(i)} THEN ${c.reason} END`));

  // The flags (window checks are the costly part) are computed ONCE into a stage holding
  // the rows and their flags — a temporary table, or with `passedAsView` the table the
  // `passed` view reads — and `passed`, `failed` and the counts come from it. Writing every
  // row into `passed` and deleting the failing ones afterwards looks cheaper but is not on
  // DuckDB: deleting from a table created in the same transaction makes the commit append
  // every row again.
  const asView = options.passedAsView ?? false;
  const checkedRef: TableRef = { ...options.passed, name: `${options.passed.name}_checked` };
  return engine.transaction(async (tx) => {
    for (const table of [options.passed, options.failed, ...(asView ? [checkedRef] : [])]) {
      if (table.schema) await tx.createSchema(table.schema);
      await dropTableOrView(tx, table);
    }
    const stage = asView ? d.quoteTable(checkedRef) : q(`_weir_checks_${newId()}`);
    // The window columns stay: reasons quote them (the latest `latestBy` of a duplicate key).
    await tx.run(`CREATE ${asView ? "" : "TEMPORARY "}TABLE ${stage} AS ${flagged}`);
    try {
      const cols = columns.map(q).join(", ");
      const anyFail = compiled.length === 0 ? "FALSE" : compiled.map((_, i) => flag(i)).join(" OR ");
      await tx.run(
        `CREATE ${asView ? "VIEW" : "TABLE"} ${d.quoteTable(options.passed)} AS SELECT ${cols} FROM ${stage} WHERE NOT (${anyFail})`,
      );
      await tx.run(
        `CREATE TABLE ${d.quoteTable(options.failed)} AS SELECT ${cols}, ${checkNames} AS ${q(FAILED_CHECKS_COLUMN)}, ` +
          `${reasons} AS ${q(FAILED_REASONS_COLUMN)} FROM ${stage} WHERE ${anyFail}`,
      );
      const counts = compiled.map((_, i) => `SUM(CASE WHEN ${flag(i)} THEN 1 ELSE 0 END) AS ${q(`c${i}`)}`);
      const [row] = await tx.query(
        `SELECT COUNT(*) AS n, SUM(CASE WHEN ${anyFail} THEN 1 ELSE 0 END) AS failed` +
          `${counts.map((c) => `, ${c}`).join("")} FROM ${stage}`,
      );
      const rowsIn = Number(row?.n ?? 0);
      const failed = Number(row?.failed ?? 0);
      const byCheck: Record<string, number> = {};
      compiled.forEach((c, i) => {
        byCheck[c.name] = Number(row?.[`c${i}`] ?? 0);
      });
      return { rowsIn, passed: rowsIn - failed, failed, byCheck };
    } finally {
      if (!asView) await tx.run(`DROP TABLE IF EXISTS ${stage}`);
    }
  });
}

interface CompiledCheck {
  name: string;
  /** True when the row fails. */
  fails: string;
  /** A text expression explaining the failure, with the offending value. */
  reason: string;
  /** Window columns the condition reads. */
  windows: string[];
}

function compileCheck(
  check: RowCheck,
  i: number,
  columns: readonly string[],
  d: Dialect,
  sql: QualitySql,
): CompiledCheck {
  const q = (c: string) => d.quoteIdent(c);
  const text = (expr: string) => `COALESCE(CAST(${expr} AS VARCHAR), 'NULL')`;
  const lit = (v: string | number) => d.quoteLiteral(v);
  switch (check.kind) {
    case "not_null":
      return {
        name: check.name,
        fails: `${q(check.column)} IS NULL`,
        reason: lit(`${check.column} is null`),
        windows: [],
      };
    case "matches":
      return {
        name: check.name,
        fails: `NOT ${sql.fullMatch(`CAST(${q(check.column)} AS VARCHAR)`, lit(check.pattern))}`,
        reason: `${lit(`${check.column} `)} || ${text(q(check.column))} || ${lit(` does not match /${check.pattern}/`)}`,
        windows: [],
      };
    case "between":
      return {
        name: check.name,
        fails: `(${q(check.column)} < ${lit(check.min)} OR ${q(check.column)} > ${lit(check.max)})`,
        reason: `${lit(`${check.column} `)} || ${text(q(check.column))} || ${lit(` is outside ${check.min}..${check.max}`)}`,
        windows: [],
      };
    case "unique": {
      const rank = q(`_weir_rank_${i}`);
      const latest = q(`_weir_latest_${i}`);
      const partition = check.key.map(q).join(", ");
      // Ties on latestBy are broken by the other columns so re-runs keep the same row.
      const tieBreak = columns.filter((c) => c !== check.latestBy).map((c) => `${q(c)} ASC NULLS LAST`);
      const order = [`${q(check.latestBy)} DESC NULLS LAST`, ...tieBreak].join(", ");
      const keyNotNull = check.key.map((k) => `${q(k)} IS NOT NULL`).join(" AND ");
      const keyText = check.key.map((k) => text(q(k))).join(` || ', ' || `);
      return {
        name: check.name,
        fails: `(${keyNotNull} AND ${rank} > 1)`,
        reason: `${lit(`duplicate ${check.key.join(", ")} `)} || ${keyText} || ${lit(`: a later row (${check.latestBy} `)} || ${text(latest)} || ${lit(") was kept")}`,
        windows: [
          `ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS ${rank}`,
          `MAX(${q(check.latestBy)}) OVER (PARTITION BY ${partition}) AS ${latest}`,
        ],
      };
    }
  }
}

/** `concat_ws` skips NULLs on both engines, so only failed checks are listed. */
function concat(parts: readonly string[]): string {
  return parts.length === 0 ? "''" : `CONCAT_WS('; ', ${parts.join(", ")})`;
}

function referencedColumns(check: RowCheck): string[] {
  return check.kind === "unique" ? [...check.key, check.latestBy] : [check.column];
}

/** Drops `table` whether an earlier run left a table or a view under that name. */
export async function dropTableOrView(tx: Engine, table: TableRef): Promise<void> {
  const found = await tx.query<{ table_type: string }>(
    `SELECT table_type FROM information_schema.tables WHERE table_name = $1 AND table_schema = COALESCE(CAST($2 AS ${tx.dialect.typeName("varchar")}), current_schema())`,
    [table.name, table.schema ?? null],
  );
  const isView = found.some((r) => String(r.table_type).toUpperCase() === "VIEW");
  await tx.run(isView ? `DROP VIEW IF EXISTS ${tx.dialect.quoteTable(table)}` : tx.dialect.dropTable(table));
}
