import { FieldSet } from "./field-set.js";
import type { LineageContext } from "./lineage-context.js";
import type { OutputColumn } from "./relations.js";
import type { QueryResult } from "./scope.js";
import { indirect } from "./transformations.js";

const FILTER = indirect("FILTER");

export function emptyResult(): QueryResult {
  return { outputs: [], datasetLevel: new FieldSet(), passthrough: [] };
}

/**
 * UNION [ALL]: column i of the result from column i of both branches (`byName`: UNION BY
 * NAME, matched by name); the dataset-level lineage of both.
 */
export function unionResults(
  left: QueryResult,
  right: QueryResult,
  ctx: LineageContext,
  byName = false,
): QueryResult {
  const outputs: OutputColumn[] = left.outputs.map((o) => ({ ...o, fields: copy(o.fields) }));
  if (byName) {
    for (const column of right.outputs) {
      const match = outputs.find((o) => o.name.toLowerCase() === column.name.toLowerCase());
      if (match) match.fields.addAll(column.fields);
      else outputs.push({ ...column, fields: copy(column.fields) });
    }
  } else {
    if (
      left.outputs.length !== right.outputs.length &&
      left.passthrough.length + right.passthrough.length > 0
    ) {
      ctx.note(
        "a set operation over a SELECT * of unknown columns: its columns are matched by position as far as listed",
      );
    }
    right.outputs.forEach((column, i) => {
      outputs[i]?.fields.addAll(column.fields);
    });
  }
  const datasetLevel = copy(left.datasetLevel);
  datasetLevel.addAll(right.datasetLevel);
  return { outputs, datasetLevel, passthrough: [...left.passthrough, ...right.passthrough] };
}

/**
 * EXCEPT / INTERSECT: the values come from the left branch; the right one only decides
 * which rows stay, so its columns are dataset-level FILTER.
 */
export function filteredByRight(left: QueryResult, right: QueryResult): QueryResult {
  const datasetLevel = copy(left.datasetLevel);
  datasetLevel.addAll(right.datasetLevel);
  for (const output of right.outputs) datasetLevel.addAll(output.fields, FILTER);
  return { outputs: left.outputs, datasetLevel, passthrough: [...left.passthrough, ...right.passthrough] };
}

export function copy(fields: FieldSet): FieldSet {
  const result = new FieldSet();
  result.addAll(fields);
  return result;
}
