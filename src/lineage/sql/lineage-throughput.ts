import { statementLineage } from "./column-lineage.js";
import type { ColumnCatalog } from "./lineage-types.js";
import { SAMPLE_TABLES, sampleStatements } from "./sample-statements.js";

export interface LineageThroughput {
  statements: number;
  /** How many of them parsed (the sample cuts about one in twenty short on purpose). */
  parsed: number;
  seconds: number;
  statementsPerSecond: number;
}

/** Numbers for generated statements, never reused in a process: each measure parses texts not seen before. */
let numbered = Date.now();
function nextFirstNumber(count: number): number {
  const first = numbered;
  numbered += count;
  return first;
}

/** A catalog of the sample statements' tables. */
export const SAMPLE_CATALOG: ColumnCatalog = {
  columnsOf: (dataset) =>
    "file" in dataset ? undefined : SAMPLE_TABLES[[dataset.schema, dataset.name].filter(Boolean).join(".")],
};

/**
 * Derives column lineage for `statements` (a count of generated ones — each text distinct,
 * so no parse is served from the cache — or the statements themselves), one after another
 * as a pipeline run would, and measures statements per second. The shared parser is
 * warmed up first, so its start is not counted.
 *
 * @example
 * const { statementsPerSecond } = await lineageThroughput(1000);
 */
export async function lineageThroughput(
  statements: number | readonly string[],
  catalog: ColumnCatalog = SAMPLE_CATALOG,
): Promise<LineageThroughput> {
  const texts =
    typeof statements === "number"
      ? sampleStatements(statements, 7, nextFirstNumber(statements))
      : statements;
  await statementLineage("SELECT 1 AS warm_up");
  let parsed = 0;
  const start = performance.now();
  for (const sql of texts) {
    if ((await statementLineage(sql, catalog)).parsed) parsed++;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    statements: texts.length,
    parsed,
    seconds,
    statementsPerSecond: seconds > 0 ? texts.length / seconds : Number.POSITIVE_INFINITY,
  };
}
