import type { DetailFamily } from "./collectors/pipeline-details.js";
import type { DerivedFamily } from "./metric-family.js";

/** Type and help of the families computed per pipeline (see `PipelineDetailsCache`). */
export const DETAIL_FAMILY_INFO: Record<DetailFamily, Pick<DerivedFamily, "type" | "help">> = {
  data_pipeline_duration_seconds: {
    type: "histogram",
    help: "Wall time of finished runs, from start to end.",
  },
  weir_task_attempts_total: {
    type: "counter",
    help: "Finished task attempts by final state (success, failed, skipped).",
  },
  weir_task_retries_total: {
    type: "counter",
    help: "Task attempts that were retries (attempt number above 1), whatever their outcome.",
  },
  weir_task_duration_seconds: {
    type: "histogram",
    help: "Wall time of finished task attempts (success or failed), from start to end.",
  },
  weir_task_rows_total: {
    type: "counter",
    help: "Rows task instances reported, by direction (in, out, rejected).",
  },
  records_processed_total: {
    type: "counter",
    help: "Records extracted from a source into a run (ctx.extract), by pipeline and source dataset, over finished runs.",
  },
  weir_records_loaded_total: {
    type: "counter",
    help: "Records loaded into a dataset (ctx.recordDataset loaded), by pipeline and dataset, over finished runs.",
  },
  weir_rows_quarantined_total: {
    type: "counter",
    help: "Rows sent to quarantine.<dataset> (rejections and failed row checks), by pipeline and dataset, over finished runs.",
  },
};
