import { facet } from "./facet.js";
import type {
  DocumentationJobFacet,
  JobTypeJobFacet,
  ProcessingType,
  SourceCodeJobFacet,
  SQLJobFacet,
} from "./types.js";

/** The integration weir's job-type facets name, like SPARK or AIRFLOW for theirs. */
export const WEIR_INTEGRATION = "WEIR";

/**
 * The `jobType` job facet. weir's job types: `JOB` (a pipeline run), `TASK` (a task
 * attempt), `QUERY` (one SQL statement), `STREAM` (a stream job), `CHECK` (a quality run).
 *
 * @example
 * jobTypeJobFacet({ processingType: "BATCH", jobType: "TASK" })
 */
export function jobTypeJobFacet(options: {
  processingType: ProcessingType;
  jobType?: string;
}): JobTypeJobFacet {
  return facet("jobType", {
    processingType: options.processingType,
    integration: WEIR_INTEGRATION,
    jobType: options.jobType,
  });
}

/** The `sql` job facet: the statement the job ran, and the engine's dialect (`duckdb`, `postgres`). */
export function sqlJobFacet(query: string, dialect?: string): SQLJobFacet {
  return facet("sql", { query, dialect });
}

/** The `sourceCode` job facet: the job's source, e.g. the task function's text. */
export function sourceCodeJobFacet(sourceCode: string, language = "TypeScript"): SourceCodeJobFacet {
  return facet("sourceCode", { language, sourceCode });
}

/** The `documentation` job facet: the job's description. */
export function documentationJobFacet(description: string): DocumentationJobFacet {
  return facet("documentation", { description });
}
