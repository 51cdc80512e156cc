import { columnInput, columnLineageDatasetFacet, direct, indirect } from "../openlineage/dataset-facets.js";
import type { ColumnInputField, ColumnLineageDatasetFacet, DatasetIdentity } from "../openlineage/types.js";
import type { DatasetName, InputField, StatementLineage } from "./lineage-types.js";

/**
 * A statement's column lineage as the OpenLineage `columnLineage` facet (1-2-0) of the
 * dataset it writes: `identify` names each input dataset in OpenLineage's terms (for a
 * table on weir's engines, `tableDataset(kind, location, schema, name)`; for a file,
 * `localFileDataset` or `lakeDataset`). Output columns of one name (`SELECT a, a`) share
 * one entry, their input fields together.
 *
 * @example
 * const lineage = await statementLineage(sql, catalog);
 * const facet = columnLineageFacet(lineage, (d) =>
 *   "file" in d ? localFileDataset(d.file) : tableDataset("duckdb", engine.location, d.schema, d.name),
 * );
 */
export function columnLineageFacet(
  lineage: Pick<StatementLineage, "columns" | "datasetLevel">,
  identify: (dataset: DatasetName) => DatasetIdentity,
): ColumnLineageDatasetFacet {
  const fields: Record<string, ColumnInputField[]> = {};
  for (const column of lineage.columns) {
    fields[column.name] = [
      ...(fields[column.name] ?? []),
      ...column.inputFields.map((f) => inputField(f, identify)),
    ];
  }
  return columnLineageDatasetFacet({
    fields,
    dataset: lineage.datasetLevel.map((f) => inputField(f, identify)),
  });
}

function inputField(
  field: InputField,
  identify: (dataset: DatasetName) => DatasetIdentity,
): ColumnInputField {
  const transformations = field.transformations.map((t) =>
    t.type === "DIRECT"
      ? direct(t.subtype, { masking: t.masking === true })
      : indirect(t.subtype, { masking: t.masking === true }),
  );
  return columnInput(identify(field.table), field.field, ...transformations);
}
