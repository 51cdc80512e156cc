/** The queue (graphile-worker) schema weir uses in the metadata database by default. */
export const DEFAULT_QUEUE_SCHEMA = "weir_queue";

/** The NOTIFY channel a worker signals on when it has stored an attempt's outcome. */
export const ATTEMPT_DONE_CHANNEL = "weir_attempt_done";

/** What a queued job carries: enough for any worker to find the attempt and its pipeline. */
export interface RemoteJob {
  runId: string;
  pipeline: string;
  pipelineFile?: string;
  taskId: string;
  mapIndex: number;
  attempt: number;
  queue: string;
}

/**
 * graphile-worker's `queue_name` serialises jobs (one at a time per queue), it does not
 * route them; so each weir queue is a task identifier of its own, and a worker's task
 * list names only the queues it serves.
 */
export function taskIdentifierOf(queue: string): string {
  return `weir.task.${queue}`;
}

/** One job per attempt: a job added twice for the same attempt is kept once. */
export function jobKeyOf(job: Pick<RemoteJob, "runId" | "taskId" | "mapIndex" | "attempt">): string {
  return `${job.runId}/${job.taskId}/${job.mapIndex}/${job.attempt}`;
}
