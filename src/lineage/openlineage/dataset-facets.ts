import type { Schema } from "../../core/types.js";
import { facet } from "./facet.js";
import type {
  ColumnInputField,
  ColumnLineageDatasetFacet,
  ColumnTransformation,
  DatasetIdentity,
  DatasourceDatasetFacet,
  LifecycleStateChange,
  LifecycleStateChangeDatasetFacet,
  SchemaDatasetFacet,
  SchemaField,
  WeirDatasetFacet,
} from "./types.js";

/**
 * The `schema` dataset facet: the dataset's fields with their types. Takes a weir `Schema`
 * (logical types: `varchar`, `bigint`…) or the fields as the engine reports them.
 */
export function schemaDatasetFacet(schema: Schema | readonly SchemaField[]): SchemaDatasetFacet {
  const fields = "fields" in schema ? schema.fields : schema;
  return facet("schema", {
    fields: fields.map((f) => {
      const field: SchemaField = { name: f.name };
      if (f.type !== undefined) field.type = f.type;
      if ("description" in f && f.description !== undefined) field.description = f.description;
      if ("fields" in f && f.fields !== undefined) field.fields = [...f.fields];
      return field;
    }),
  });
}

/**
 * The `dataSource` dataset facet: the data source a dataset lives in, named by its
 * OpenLineage namespace. `uri` must be an absolute URI; by default it is the namespace
 * itself (percent-encoded where a path has spaces), and `file:///` for the bare `file` namespace.
 */
export function dataSourceDatasetFacet(
  namespace: string,
  uri: string = namespaceUri(namespace),
): DatasourceDatasetFacet {
  return facet("dataSource", { name: namespace, uri });
}

function namespaceUri(namespace: string): string {
  return namespace === "file" ? "file:///" : encodeURI(namespace);
}

/**
 * The `columnLineage` dataset facet (1-2-0) of an output: for each output field the input
 * fields it was computed from, and in `dataset` the input fields that shape the whole
 * output without being copied into a field (filters, join keys, grouping) — indirect lineage.
 *
 * @example
 * columnLineageDatasetFacet({
 *   fields: { email: [columnInput(customers, "email", direct("IDENTITY"))] },
 *   dataset: [columnInput(customers, "deleted_at", indirect("FILTER"))],
 * })
 */
export function columnLineageDatasetFacet(lineage: {
  fields: Record<string, ColumnInputField[]>;
  dataset?: ColumnInputField[];
}): ColumnLineageDatasetFacet {
  const fields: ColumnLineageDatasetFacet["fields"] = {};
  for (const [output, inputFields] of Object.entries(lineage.fields)) fields[output] = { inputFields };
  return facet("columnLineage", { fields, dataset: lineage.dataset });
}

/** One input field of the column lineage facet. */
export function columnInput(
  dataset: DatasetIdentity,
  field: string,
  ...transformations: ColumnTransformation[]
): ColumnInputField {
  const input: ColumnInputField = { namespace: dataset.namespace, name: dataset.name, field };
  if (transformations.length > 0) input.transformations = transformations;
  return input;
}

/** A DIRECT transformation: the output value comes from the input (IDENTITY, TRANSFORMATION, AGGREGATION). */
export function direct(
  subtype: "IDENTITY" | "TRANSFORMATION" | "AGGREGATION" | (string & {}),
  options: { description?: string; masking?: boolean } = {},
): ColumnTransformation {
  return transformation("DIRECT", subtype, options);
}

/** An INDIRECT transformation: the input decides which rows or groups, not the value (JOIN, GROUP_BY, FILTER, SORT, WINDOW, CONDITIONAL). */
export function indirect(
  subtype: "JOIN" | "GROUP_BY" | "FILTER" | "SORT" | "WINDOW" | "CONDITIONAL" | (string & {}),
  options: { description?: string; masking?: boolean } = {},
): ColumnTransformation {
  return transformation("INDIRECT", subtype, options);
}

function transformation(
  type: ColumnTransformation["type"],
  subtype: string,
  options: { description?: string; masking?: boolean },
): ColumnTransformation {
  const t: ColumnTransformation = { type, subtype };
  if (options.description !== undefined) t.description = options.description;
  t.masking = options.masking ?? false;
  return t;
}

/** The `lifecycleStateChange` dataset facet: the job created, overwrote, truncated, dropped, altered or renamed the dataset. */
export function lifecycleStateChangeDatasetFacet(
  change: LifecycleStateChange,
  previousIdentifier?: DatasetIdentity,
): LifecycleStateChangeDatasetFacet {
  return facet("lifecycleStateChange", {
    lifecycleStateChange: change,
    previousIdentifier:
      previousIdentifier === undefined
        ? undefined
        : { namespace: previousIdentifier.namespace, name: previousIdentifier.name },
  });
}

/** weir's `weir` dataset facet: the name weir itself uses for the dataset (`lake.raw.customers`). */
export function weirDatasetFacet(name: string): WeirDatasetFacet {
  return facet("weir", { name });
}
