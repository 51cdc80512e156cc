import type { ResolvedActivity } from "../capture/lineage-model.js";

/** The OpenLineage event types (spec 2-0-2). */
export type LineageEventType = "START" | "RUNNING" | "COMPLETE" | "FAIL" | "ABORT";

/**
 * What weir knows about one moment of a run, before it is dressed as an OpenLineage
 * RunEvent (`buildRunEvent`). Jobs are `pipeline` (the run) and `pipeline.task` (an attempt),
 * `stream.<job>` for stream jobs and `quality.<dataset>` for a suite run on its own.
 */
export interface RunEventSpec {
  eventType: LineageEventType;
  eventTime: string;
  runId: string;
  job: {
    namespace: string;
    name: string;
    /** OpenLineage jobType facet: `JOB` for a pipeline run, `TASK` for an attempt, `QUERY`… */
    jobType: "JOB" | "TASK" | "QUERY" | "STREAM" | "CHECK";
    processingType: "BATCH" | "STREAMING";
    sql?: string;
    description?: string;
  };
  parent?: { runId: string; namespace: string; name: string };
  /** The data interval the run covers. */
  nominal?: { start: string; end: string };
  error?: { message: string; stackTrace?: string };
  activity?: ResolvedActivity;
}
