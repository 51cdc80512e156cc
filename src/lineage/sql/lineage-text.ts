import type { ColumnLineage, InputField, StatementLineage } from "./lineage-types.js";
import { datasetLabel } from "./lineage-types.js";

/**
 * One line per input field, `dataset.field TYPE/SUBTYPE[ masked]` (several transformations
 * joined by `, `): for logs, the CLI and readable test expectations.
 *
 * @example
 * inputFieldText({ table: { name: "t" }, field: "a", transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] });
 * // "t.a DIRECT/IDENTITY"
 */
export function inputFieldText(field: InputField): string {
  const transformations = field.transformations.map(
    (t) => `${t.type}/${t.subtype}${t.masking ? " masked" : ""}`,
  );
  return `${datasetLabel(field.table)}.${field.field} ${transformations.join(", ")}`;
}

/** Each output column with its input fields as text, and the dataset-level fields under `*`. */
export function lineageText(
  lineage: Pick<StatementLineage, "columns" | "datasetLevel">,
): Record<string, string[]> {
  const text: Record<string, string[]> = {};
  for (const column of lineage.columns as ColumnLineage[])
    text[column.name] = column.inputFields.map(inputFieldText);
  if (lineage.datasetLevel.length > 0) text["*"] = lineage.datasetLevel.map(inputFieldText);
  return text;
}
