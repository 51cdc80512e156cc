/**
 * The `_schemaURL` of each facet weir emits: the facet's schema file at the version weir
 * follows, plus the JSON pointer to its definition, exactly as the spec's own clients write
 * them. One table, so a version bump is one line here and one vendored file in `schemas/`
 * (a test checks every URL against the `$id` of the file beside it).
 */
const facet = (version: string, file: string, definition = file) =>
  `https://openlineage.io/spec/facets/${version}/${file}.json#/$defs/${definition}`;

export const FACET_SCHEMA_URLS = {
  // run facets
  parent: facet("1-1-0", "ParentRunFacet"),
  nominalTime: facet("1-0-1", "NominalTimeRunFacet"),
  errorMessage: facet("1-0-1", "ErrorMessageRunFacet"),
  processing_engine: facet("1-1-1", "ProcessingEngineRunFacet"),
  // job facets
  jobType: facet("2-0-4", "JobTypeJobFacet"),
  sql: facet("1-1-0", "SQLJobFacet"),
  sourceCode: facet("1-0-1", "SourceCodeJobFacet"),
  documentation: facet("1-0-1", "DocumentationJobFacet"),
  // dataset facets
  schema: facet("1-1-1", "SchemaDatasetFacet"),
  dataSource: facet("1-0-1", "DatasourceDatasetFacet"),
  columnLineage: facet("1-2-0", "ColumnLineageDatasetFacet"),
  lifecycleStateChange: facet("1-0-1", "LifecycleStateChangeDatasetFacet"),
  // input dataset facets
  dataQualityAssertions: facet("1-0-1", "DataQualityAssertionsDatasetFacet"),
  dataQualityMetrics: facet("1-0-2", "DataQualityMetricsInputDatasetFacet"),
  // output dataset facets
  outputStatistics: facet("1-0-2", "OutputStatisticsOutputDatasetFacet"),
  // weir's own dataset facet (custom facets live with their producer, not on openlineage.io)
  weir: "https://github.com/weir-data/weir/blob/0.1.0/src/lineage/openlineage/schemas/WeirDatasetFacet.json#/$defs/WeirDatasetFacet",
} as const;

export type FacetKey = keyof typeof FACET_SCHEMA_URLS;
