import { type TableRef, tableLabel } from "../../core/types.js";
import type { Engine, EngineKind } from "../../engines/engine.js";
import { sqlTypeName } from "../model/column-types.js";
import type { TableModel } from "../model/define-warehouse.js";
import { compareWithModel } from "./catalog-types.js";
import { createIndexStatement, createTableStatement, indexName } from "./create-table-sql.js";
import { type CatalogTable, introspectTable, nameKey } from "./introspect.js";
import type { PlanStep } from "./plan-step.js";
import { repartitionStep } from "./repartition.js";
import { seedSteps } from "./seed-steps.js";
import { type TableDefinition, tableDefinition } from "./table-definition.js";
import { materializedViewSteps } from "./view-steps.js";

function sameColumns(engine: EngineKind, a: readonly string[], b: readonly string[]): boolean {
  const key = nameKey(engine);
  return a.length === b.length && a.every((c, i) => key(c) === key(b[i]!));
}

/**
 * The steps that make one model table's catalog match it: created whole when missing, else
 * column by column (add, type, nullability, drop), primary key, indexes, then its
 * materialized view and generated rows. `schemaMissing` skips reading a catalog that
 * cannot hold the table yet; `notices` collects what is left as it is.
 */
export async function planTable(
  engine: Engine,
  model: TableModel,
  schemaMissing: boolean,
  notices: string[],
): Promise<PlanStep[]> {
  const def = tableDefinition(model, engine.kind);
  const label = tableLabel(def.table);
  const catalog = schemaMissing ? undefined : await introspectTable(engine, def.table);
  const steps: PlanStep[] = [];
  if (!catalog) {
    steps.push({
      table: label,
      kind: "create-table",
      sql: [createTableStatement(engine, def)],
      destructive: false,
      reason: `table ${label} does not exist`,
    });
    for (const index of def.indexes) steps.push(createIndexStep(engine, def, index, "missing"));
  } else if (partitioningChanged(engine, def, catalog)) {
    steps.push(repartitionStep(engine, def, catalog));
  } else {
    const columns = await columnSteps(engine, def, catalog, notices);
    const keys = primaryKeySteps(engine, def, catalog);
    if (engine.kind === "duckdb" && catalog.indexes.length > 0 && [...columns, ...keys].some(altersTable)) {
      steps.push(...duckdbIndexedAlter(engine, def, catalog, [...columns, ...keys]));
    } else {
      steps.push(...columns, ...keys, ...indexSteps(engine, def, catalog));
    }
  }
  steps.push(...(await materializedViewSteps(engine, model, catalog === undefined)));
  steps.push(...(await seedSteps(engine, model, catalog === undefined)));
  return steps;
}

/** A step that ALTERs an existing column (DuckDB refuses those on a table with indexes). */
function altersTable(step: PlanStep): boolean {
  // A plain ADD COLUMN is allowed; adding one NOT NULL takes a second, altering statement.
  return step.kind === "add-column" ? step.sql.length > 1 : true;
}

function partitioningChanged(engine: Engine, def: TableDefinition, catalog: CatalogTable): boolean {
  if (engine.kind !== "postgres") return false;
  const want = def.partitioning?.column;
  const have = catalog.partitionColumn;
  return want !== have;
}

function createIndexStep(
  engine: Engine,
  def: TableDefinition,
  columns: readonly string[],
  why: "missing" | "recreated",
): PlanStep {
  const name = indexName(def.table.name, columns);
  return {
    table: tableLabel(def.table),
    kind: "create-index",
    sql: [createIndexStatement(engine, def.table, columns)],
    destructive: false,
    reason:
      why === "missing"
        ? `index ${name} on (${columns.join(", ")}) is missing`
        : `index ${name} created again after the ALTER`,
  };
}

async function columnSteps(
  engine: Engine,
  def: TableDefinition,
  catalog: CatalogTable,
  notices: string[],
): Promise<PlanStep[]> {
  const d = engine.dialect;
  const key = nameKey(engine.kind);
  const t = d.quoteTable(def.table);
  const label = tableLabel(def.table);
  const actual = new Map(catalog.columns.map((c) => [key(c.name), c]));
  const declared = new Set(def.columns.map((c) => key(c.name)));
  const steps: PlanStep[] = [];
  const step = (kind: PlanStep["kind"], sql: string[], destructive: boolean, reason: string) =>
    steps.push({ table: label, kind, sql, destructive, reason });
  let hasRows: boolean | undefined;
  const rowsExist = async () => {
    hasRows ??= (await engine.query(`SELECT 1 AS found FROM ${t} LIMIT 1`)).length > 0;
    return hasRows;
  };
  for (const c of catalog.columns) {
    if (declared.has(key(c.name))) continue;
    step(
      "drop-column",
      [`ALTER TABLE ${t} DROP COLUMN IF EXISTS ${d.quoteIdent(c.name)}`],
      true,
      `column ${c.name} (${c.type}) is not in the model: dropping it loses its values`,
    );
  }
  for (const c of def.columns) {
    const col = d.quoteIdent(c.name);
    const type = sqlTypeName(engine.kind, c.type);
    const found = actual.get(key(c.name));
    if (!found) {
      const add = `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${col} ${type}`;
      if (c.nullable) step("add-column", [add], false, `column ${c.name} is missing`);
      else if (!(await rowsExist()))
        step(
          "add-column",
          [add, `ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`],
          false,
          `column ${c.name} is missing (NOT NULL as declared: the table is empty)`,
        );
      else
        step(
          "add-column",
          [add],
          false,
          `column ${c.name} is missing; added NULLable because the table has rows (declared NOT NULL: fill it, then apply again sets NOT NULL)`,
        );
      continue;
    }
    const change = compareWithModel(engine.kind, found.type, c.type);
    if (change !== "same") {
      step(
        "change-type",
        [`ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${type} USING CAST(${col} AS ${type})`],
        change === "change",
        change === "widen"
          ? `column ${c.name} is ${found.type}, declared ${type}: widening keeps every value`
          : `column ${c.name} is ${found.type}, declared ${type}: a narrower type or another kind of value`,
      );
    }
    if (found.nullable && !c.nullable) {
      const [row] = await engine.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${t} WHERE ${col} IS NULL`);
      const nulls = Number(row?.n ?? 0);
      if (nulls === 0)
        step(
          "change-nullability",
          [`ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`],
          false,
          `column ${c.name} is declared NOT NULL`,
        );
      else
        notices.push(
          `${label}: column ${c.name} is declared NOT NULL but holds ${nulls} NULL value${nulls === 1 ? "" : "s"}; fill them, then apply sets NOT NULL`,
        );
    } else if (!found.nullable && c.nullable) {
      step(
        "change-nullability",
        [`ALTER TABLE ${t} ALTER COLUMN ${col} DROP NOT NULL`],
        false,
        `column ${c.name} is declared NULLable`,
      );
    }
  }
  return steps;
}

function primaryKeySteps(engine: Engine, def: TableDefinition, catalog: CatalogTable): PlanStep[] {
  const want = def.primaryKey ?? [];
  const have = catalog.primaryKey ?? [];
  if (sameColumns(engine.kind, want, have)) return [];
  const d = engine.dialect;
  const t = d.quoteTable(def.table);
  const add =
    want.length > 0
      ? [`ALTER TABLE ${t} ADD PRIMARY KEY (${want.map((c) => d.quoteIdent(c)).join(", ")})`]
      : [];
  const drop =
    have.length > 0 && catalog.primaryKeyName
      ? [`ALTER TABLE ${t} DROP CONSTRAINT ${d.quoteIdent(catalog.primaryKeyName)}`]
      : [];
  const cannot = engine.kind === "duckdb" && have.length > 0;
  return [
    {
      table: tableLabel(def.table),
      kind: "change-primary-key",
      // DuckDB cannot drop a primary key: no statement, and applying the step fails with why.
      sql: cannot ? [] : [...drop, ...add],
      destructive: true,
      reason: `primary key is (${have.join(", ")}), declared (${want.join(", ")})${cannot ? ": DuckDB cannot change a primary key in place; recreate the table" : ": rows that break the new key make it fail"}`,
    },
  ];
}

/** Model indexes missing from the catalog (by name, or any index on the same columns). */
function indexSteps(engine: Engine, def: TableDefinition, catalog: CatalogTable): PlanStep[] {
  const key = nameKey(engine.kind);
  const steps: PlanStep[] = [];
  for (const columns of def.indexes) {
    const name = indexName(def.table.name, columns);
    const named = catalog.indexes.find((i) => key(i.name) === key(name));
    if (named && (named.columns === undefined || sameColumns(engine.kind, named.columns, columns))) continue;
    if (!named && catalog.indexes.some((i) => i.columns && sameColumns(engine.kind, i.columns, columns)))
      continue;
    if (!named) {
      steps.push(createIndexStep(engine, def, columns, "missing"));
      continue;
    }
    steps.push({
      table: tableLabel(def.table),
      kind: "replace-index",
      sql: [
        `DROP INDEX IF EXISTS ${engine.dialect.quoteTable({ schema: catalog.schema, name })}`,
        createIndexStatement(engine, def.table, columns),
      ],
      destructive: false,
      reason: `index ${name} is on (${named.columns!.join(", ")}), declared on (${columns.join(", ")})`,
    });
  }
  return steps;
}

/**
 * DuckDB refuses to ALTER a column of a table that has indexes ("entries that depend on
 * it"): the indexes are dropped first and created again after — the model's, and others
 * whose columns are all still there from their own CREATE statement.
 */
function duckdbIndexedAlter(
  engine: Engine,
  def: TableDefinition,
  catalog: CatalogTable,
  alters: PlanStep[],
): PlanStep[] {
  const d = engine.dialect;
  const key = nameKey(engine.kind);
  const label = tableLabel(def.table);
  const kept = new Set(def.columns.map((c) => key(c.name)));
  const modelNames = new Set(def.indexes.map((cols) => key(indexName(def.table.name, cols))));
  const others = catalog.indexes.filter(
    (i) =>
      !modelNames.has(key(i.name)) &&
      !def.indexes.some((cols) => i.columns && sameColumns(engine.kind, i.columns, cols)),
  );
  const recreated = others.filter((i) => i.definition && i.columns?.every((c) => kept.has(key(c))));
  const lost = others.filter((i) => !recreated.includes(i)).map((i) => i.name);
  const at = (name: string): TableRef => ({ schema: catalog.schema, name });
  return [
    {
      table: label,
      kind: "drop-index",
      sql: catalog.indexes.map((i) => `DROP INDEX IF EXISTS ${d.quoteTable(at(i.name))}`),
      destructive: false,
      reason: `DuckDB alters no table that has indexes: they are dropped and created again after${lost.length > 0 ? ` (except ${lost.join(", ")}, on columns that go or not readable)` : ""}`,
    },
    ...alters,
    ...def.indexes.map((cols) => createIndexStep(engine, def, cols, "recreated")),
    ...recreated.map(
      (i): PlanStep => ({
        table: label,
        kind: "create-index",
        sql: [i.definition!],
        destructive: false,
        reason: `index ${i.name} created again after the ALTER`,
      }),
    ),
  ];
}
