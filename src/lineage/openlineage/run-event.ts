import { redactDeep } from "../../config/secret.js";
import { RUN_EVENT_SCHEMA_URL, WEIR_PRODUCER } from "./producer.js";
import { isoTime } from "./run-facets.js";
import type { InputDataset, Job, OutputDataset, Run, RunEvent, RunEventType } from "./types.js";

export interface RunEventInput {
  eventType: RunEventType;
  /** When the transition happened; default now. */
  eventTime?: Date | string;
  run: Run;
  job: Job;
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
}

/**
 * A complete OpenLineage RunEvent (spec 2-0-2) with weir as `producer` and the spec's
 * RunEvent definition as `schemaURL`. Registered secrets are scrubbed from every string
 * (a SQL facet quoting a connection URL, an error message): events leave the machine.
 *
 * @example
 * runEvent({
 *   eventType: "START",
 *   run: { runId: newRunId(), facets: { parent: parentRunFacet(pipelineRun) } },
 *   job: { ...taskJob("orders", "load"), facets: { jobType: jobTypeJobFacet({ processingType: "BATCH", jobType: "TASK" }) } },
 *   inputs: [postgresDataset({ url, schema: "public", table: "orders" })],
 * })
 */
export function runEvent(input: RunEventInput): RunEvent {
  return redactDeep({
    eventType: input.eventType,
    eventTime: isoTime(input.eventTime ?? new Date()),
    run: input.run,
    job: input.job,
    inputs: input.inputs ?? [],
    outputs: input.outputs ?? [],
    producer: WEIR_PRODUCER,
    schemaURL: RUN_EVENT_SCHEMA_URL,
  });
}
