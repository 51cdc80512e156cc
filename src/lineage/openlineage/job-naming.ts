import { DEFAULT_JOB_NAMESPACE } from "./producer.js";
import type { JobIdentity } from "./types.js";

/**
 * Job names weir emits, in one place so every emitter names the same job the same way.
 * OpenLineage names a scheduler's jobs `{dag}.{task}` (Naming.md, Airflow); weir's
 * pipeline is the DAG, so a task attempt's job is `pipeline.task` and the pipeline run, the
 * tasks' parent, is the job `pipeline`.
 */

/** The job of a pipeline run: the parent of its task runs. */
export function pipelineJob(pipelineId: string, namespace = DEFAULT_JOB_NAMESPACE): JobIdentity {
  return { namespace, name: pipelineId };
}

/** The job of a task's runs: `pipeline.task`. */
export function taskJob(pipelineId: string, taskId: string, namespace = DEFAULT_JOB_NAMESPACE): JobIdentity {
  return { namespace, name: `${pipelineId}.${taskId}` };
}

/** The job of a stream job's runs (one run per checkpointed epoch, parented by the stream job run). */
export function streamJob(streamJobName: string, namespace = DEFAULT_JOB_NAMESPACE): JobIdentity {
  return { namespace, name: streamJobName };
}

/** The job of a quality run on a dataset: `quality.<suite>` (the suite checks, the dataset is its input). */
export function qualityJob(suiteName: string, namespace = DEFAULT_JOB_NAMESPACE): JobIdentity {
  return { namespace, name: `quality.${suiteName}` };
}
