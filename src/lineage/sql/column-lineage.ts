import { messageOf } from "../../core/errors.js";
import { snapshotCatalog } from "./catalog-snapshot.js";
import { expressionTexts, type ParsedSelect, parseSelect } from "./duckdb-sql-parser.js";
import type { SelectLineageOptions, SqlDialectName } from "./lineage-context.js";
import type {
  ColumnCatalog,
  ColumnLineage,
  StatementLineage,
  SyncColumnCatalog,
  Transformation,
} from "./lineage-types.js";
import { datasetLabel } from "./lineage-types.js";
import { duckdbUniqueNames } from "./output-names.js";
import { type SelectLineage, selectLineage } from "./select-lineage.js";
import { type StatementShape, statementShape } from "./statement-shape.js";
import { transformationKey } from "./transformations.js";

export type { SelectLineageOptions, SqlDialectName } from "./lineage-context.js";
export type {
  ColumnCatalog,
  ColumnLineage,
  DatasetName,
  FileName,
  InputField,
  StatementKind,
  StatementLineage,
  SyncColumnCatalog,
  TableName,
  Transformation,
  TransformationSubtype,
  TransformationType,
} from "./lineage-types.js";
export { type SelectLineage, selectLineage } from "./select-lineage.js";

/**
 * Column lineage of one SQL statement, as the OpenLineage column lineage facet (1-2-0)
 * describes it, derived with DuckDB's own parser. Reads SELECT (and WITH, VALUES, FROM-first),
 * `CREATE [OR REPLACE] [TEMP] TABLE|VIEW … AS`, `INSERT INTO … [(cols)] SELECT|VALUES … [ON
 * CONFLICT …] [RETURNING …]` and `COPY (…) TO 'path'`; PostgreSQL statements too, as far as
 * DuckDB's PostgreSQL-derived parser reads them. Never throws for bad SQL: a statement it
 * cannot parse (or one that carries no lineage: UPDATE, DDL…) comes back `parsed: false`
 * with the reason. `catalog` gives table columns, to expand `SELECT *` and place unqualified
 * columns; what could not be traced without it is said in `reason`.
 *
 * @example
 * const lineage = await statementLineage(
 *   "CREATE TABLE dw.totals AS SELECT user_id, sum(amount) AS total FROM events WHERE amount > 0 GROUP BY user_id",
 * );
 * lineage.columns[1]; // { name: "total", inputFields: [{ table: { name: "events" }, field: "amount", transformations: [{ type: "DIRECT", subtype: "AGGREGATION" }] }] }
 * lineage.datasetLevel; // amount: INDIRECT/FILTER, user_id: INDIRECT/GROUP_BY
 */
export async function statementLineage(
  sql: string,
  catalog?: ColumnCatalog,
  options: StatementLineageOptions = {},
): Promise<StatementLineage> {
  let shape: StatementShape;
  try {
    shape = statementShape(sql);
  } catch (error) {
    shape = { kind: "other", reason: `the statement could not be read (a bug in weir): ${messageOf(error)}` };
  }
  if (shape.kind === "other") {
    return { parsed: false, reason: shape.reason, kind: "other", inputs: [], columns: [], datasetLevel: [] };
  }
  const target = shape.kind === "select" ? undefined : shape.target;
  const insertTarget = shape.kind === "insert_select" ? shape.target : undefined;
  const failed = (reason: string): StatementLineage => ({
    parsed: false,
    reason,
    kind: shape.kind,
    ...(target ? { target } : {}),
    inputs: [],
    columns: [],
    datasetLevel: [],
  });

  let lineage: SelectLineage;
  let known: SyncColumnCatalog | undefined;
  if (shape.kind === "insert_select" && shape.selectSql === undefined) {
    // INSERT … DEFAULT VALUES: columns without inputs.
    known = catalog ? await snapshotCatalog(catalog, undefined, [shape.target]) : undefined;
    lineage = { columns: [], datasetLevel: [], inputs: [], notes: [], unnamed: [] };
  } else {
    const selectSql = shape.selectSql!;
    let parsed: ParsedSelect;
    try {
      parsed = await parseSelect(selectSql);
    } catch (error) {
      return failed(`DuckDB's parser could not be run: ${messageOf(error)}`);
    }
    if (!parsed.ok) return failed(parsed.reason);
    if (parsed.statements.length !== 1) {
      return failed(
        `the query holds ${parsed.statements.length} statements; lineage is derived from one at a time`,
      );
    }
    known = catalog
      ? await snapshotCatalog(catalog, parsed.statements, insertTarget ? [insertTarget] : [])
      : undefined;
    try {
      lineage = selectLineage({ statements: parsed.statements }, known, options);
    } catch (error) {
      // An AST shape the walk does not expect is weir's bug, but lineage must not fail a run.
      return failed(`column lineage could not be traced (a bug in weir): ${messageOf(error)}`);
    }
    await nameByText(lineage, options);
  }

  markMasked(lineage.columns, options.maskedColumns);
  const notes = [...lineage.notes];
  const columns = targetColumns(shape, lineage.columns, known, notes, options.dialect ?? "duckdb");
  return {
    parsed: true,
    ...(notes.length > 0 ? { reason: notes.join("; ") } : {}),
    kind: shape.kind,
    ...(target ? { target } : {}),
    inputs: lineage.inputs,
    columns,
    datasetLevel: lineage.datasetLevel,
  };
}

export interface StatementLineageOptions extends SelectLineageOptions {
  /**
   * Output columns of the query known to hold masked values (a governance policy's outputs:
   * `policyMaskedColumns`): their DIRECT transformations get `masking: true`.
   */
  maskedColumns?: Iterable<string>;
}

/** Marks the DIRECT transformations of the named output columns as masking. */
function markMasked(columns: ColumnLineage[], names: Iterable<string> | undefined): void {
  const masked = new Set([...(names ?? [])].map((n) => n.toLowerCase()));
  if (masked.size === 0) return;
  for (const column of columns) {
    if (!masked.has(column.name.toLowerCase())) continue;
    for (const field of column.inputFields) {
      const marked = new Map<string, Transformation>();
      for (const t of field.transformations) {
        const m: Transformation = t.type === "DIRECT" ? { ...t, masking: true } : t;
        if (!marked.has(transformationKey(m))) marked.set(transformationKey(m), m);
      }
      field.transformations = [...marked.values()];
    }
  }
}

/** DuckDB names unaliased expressions by their text: asked of DuckDB in one call. */
async function nameByText(lineage: SelectLineage, options: SelectLineageOptions): Promise<void> {
  if ((options.dialect ?? "duckdb") !== "duckdb" || lineage.unnamed.length === 0) return;
  try {
    const texts = await expressionTexts(lineage.unnamed.map((u) => u.expression));
    lineage.unnamed.forEach((u, i) => {
      const column = lineage.columns[u.index];
      if (column && texts[i]) column.name = texts[i]!;
    });
  } catch (error) {
    lineage.notes.push(`unaliased columns keep provisional names: ${messageOf(error)}`);
  }
}

/** The written columns' names: the statement's column list, else (INSERT) the target's columns by position. */
function targetColumns(
  shape: Exclude<StatementShape, { kind: "other" }>,
  columns: ColumnLineage[],
  catalog: SyncColumnCatalog | undefined,
  notes: string[],
  dialect: SqlDialectName,
): ColumnLineage[] {
  let names: readonly string[] | undefined;
  if (shape.kind === "create_table_as" || shape.kind === "create_view_as" || shape.kind === "copy_to") {
    names = shape.kind === "copy_to" ? undefined : shape.columnNames;
    // The table, view or file DuckDB makes has unique column names.
    if (!names && dialect === "duckdb") names = duckdbUniqueNames(columns.map((c) => c.name));
  } else if (shape.kind === "insert_select") {
    names = shape.columnNames;
    if (!names && !shape.byName) {
      names = catalog?.columnsOf(shape.target);
      if (!names) {
        notes.push(
          `INSERT INTO ${datasetLabel(shape.target)} without a column list, and its columns are unknown: the query's column names are used`,
        );
      }
    }
    if (shape.selectSql === undefined) {
      return (names ?? []).map((name) => ({ name, inputFields: [] }));
    }
  }
  if (!names) return columns;
  if (
    names.length !== columns.length &&
    !(shape.kind === "insert_select" && shape.columnNames === undefined)
  ) {
    notes.push(`${names.length} column names for ${columns.length} query columns`);
  }
  return columns.map((column, i) => (i < names.length ? { ...column, name: names[i]! } : column));
}
