import type { Engine } from "../../engines/engine.js";
import { sqlTypeName, type WarehouseType } from "../model/column-types.js";
import type { FactModel } from "../model/define-fact.js";
import { type FactInput, inputRelation, loadablePredicate } from "./fact-load-sql.js";

/** A loadBy or partition value as reported and recorded: a number for numeric columns, else text. */
export type LoadValue = number | string;

export interface InputSummary {
  /** Rows in the input. */
  rows: number;
  /** Rows that can be loaded (no required column NULL). */
  loadable: number;
  /** Distinct non-NULL loadBy values of the input, sorted. */
  loadValues: LoadValue[];
  /** Distinct partition column values of the loadable rows, sorted (empty without `partitionBy`). */
  partitionValues: LoadValue[];
}

/**
 * One grouped scan of the input: its row counts and the values a load replaces and the
 * partitions it needs. Values are read as text (the same text on both engines: ISO dates,
 * plain integers) and numeric columns turned back into numbers.
 */
export async function summarizeInput(
  engine: Engine,
  fact: FactModel,
  input: FactInput,
): Promise<InputSummary> {
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const text = engine.dialect.typeName("varchar");
  const partition = fact.partitionBy?.column;
  const rows = await engine.query<{ v: string | null; p: string | null; n: unknown; ok: unknown }>(
    `SELECT CAST(${q(fact.loadBy)} AS ${text}) AS v, ` +
      `${partition === undefined ? "CAST(NULL AS VARCHAR)" : `CAST(${q(partition)} AS ${text})`} AS p, ` +
      `COUNT(*) AS n, COUNT(*) FILTER (WHERE ${loadablePredicate(engine, fact)}) AS ok ` +
      `FROM ${inputRelation(engine, input, fact)} AS _weir_input GROUP BY 1, 2`,
  );
  const loadType = columnType(fact, fact.loadBy);
  const partitionType = partition === undefined ? "varchar" : columnType(fact, partition);
  const loadValues = new Set<string>();
  const partitionValues = new Set<string>();
  let total = 0;
  let loadable = 0;
  for (const r of rows) {
    total += Number(r.n);
    loadable += Number(r.ok);
    if (r.v !== null) loadValues.add(r.v);
    if (r.p !== null && Number(r.ok) > 0) partitionValues.add(r.p);
  }
  return {
    rows: total,
    loadable,
    loadValues: sortValues([...loadValues].map((v) => loadValue(loadType, v))),
    partitionValues: sortValues([...partitionValues].map((v) => loadValue(partitionType, v))),
  };
}

function columnType(fact: FactModel, name: string): WarehouseType {
  return fact.columns.find((c) => c.name === name)?.type ?? "varchar";
}

const NUMERIC = new Set<WarehouseType>(["integer", "bigint", "double"]);

/**
 * A value as the result reports it: a number for integer/bigint/double columns (a bigint
 * beyond 2^53 stays text, so it is not rounded), else its text.
 */
export function loadValue(type: WarehouseType, value: number | string): LoadValue {
  if (!NUMERIC.has(type)) return String(value);
  if (typeof value === "number") return value;
  const n = Number(value);
  return Number.isFinite(n) && (type === "double" || Number.isSafeInteger(n)) ? n : value;
}

/** Numbers numerically, texts (dates) as text: the order a reader expects. Sorts in place. */
export function sortValues(values: LoadValue[]): LoadValue[] {
  return values.sort((a, b) =>
    typeof a === "number" && typeof b === "number"
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0,
  );
}

/** `column IN (CAST($1 AS type), …)` for the values, with its parameters; FALSE for none. */
export function valuesInSql(
  engine: Engine,
  fact: FactModel,
  column: string,
  values: readonly LoadValue[],
  firstParam = 1,
): { sql: string; params: LoadValue[] } {
  if (values.length === 0) return { sql: "FALSE", params: [] };
  const type = engine.dialect.typeName("varchar");
  const columnType = fact.columns.find((c) => c.name === column)!.type;
  // Bound as text and cast to the column's type: the same on both engines whatever JS type a value has.
  const target = sqlTypeName(engine.kind, columnType);
  const list = values.map((_, i) => `CAST(CAST($${firstParam + i} AS ${type}) AS ${target})`);
  return { sql: `${engine.dialect.quoteIdent(column)} IN (${list.join(", ")})`, params: values.map(String) };
}
