/**
 * What a unit of work read and wrote, resolved to OpenLineage identities but not yet
 * dressed in facets (`build-run-event.ts` does that). One concept: a dataset as lineage
 * sees it.
 */
export interface ResolvedDataset {
  /** OpenLineage namespace and name (Naming.md conventions, see `dataset-identity.ts`). */
  namespace: string;
  name: string;
  /** weir's own name: `lake.raw.customers`, `dim_customers`, `staging.customers.customers_derived`. */
  weirName: string;
  fields?: { name: string; type: string }[];
  rows?: number;
  bytes?: number;
  files?: number;
  /** Per output field, its input fields (OpenLineage column lineage). */
  columnLineage?: Record<string, ResolvedInputField[]>;
  /** Indirect lineage for the whole dataset (filters, joins, grouping). */
  datasetLineage?: ResolvedInputField[];
  assertions?: { assertion: string; success: boolean; column?: string }[];
  rowCount?: number;
  /** While resolving: the dataset whose same-named fields this one copies (an extract). */
  identityFrom?: { namespace: string; name: string; weirName: string };
}

export interface ResolvedInputField {
  namespace: string;
  name: string;
  field: string;
  transformations: {
    type: "DIRECT" | "INDIRECT";
    subtype: string;
    masking?: boolean;
  }[];
}

export interface ResolvedActivity {
  inputs: ResolvedDataset[];
  outputs: ResolvedDataset[];
  /** The statements that wrote outputs, for the SQL job facet. */
  sql: string[];
  /** Why lineage may be partial (a statement that could not be parsed, a star not expanded). */
  warnings: string[];
}
