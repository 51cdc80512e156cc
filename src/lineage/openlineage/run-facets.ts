import { redactSecrets } from "../../config/secret.js";
import { messageOf } from "../../core/errors.js";
import { facet } from "./facet.js";
import { WEIR_VERSION } from "./producer.js";
import type {
  ErrorMessageRunFacet,
  JobIdentity,
  NominalTimeRunFacet,
  ParentRunFacet,
  ProcessingEngineRunFacet,
} from "./types.js";

/** A run named from another run's event: its id and its job. */
export interface RunReference {
  runId: string;
  job: JobIdentity;
}

/**
 * The `parent` run facet: the run that spawned this one (a task attempt's pipeline run).
 * `root` is the run that started the whole chain; it defaults to the parent, which is
 * right for weir's two levels (pipeline run → task runs), as Airflow's DAG run is for its tasks.
 *
 * @example
 * parentRunFacet({ runId: pipelineRunId, job: pipelineJob("orders") })
 */
export function parentRunFacet(parent: RunReference, root: RunReference = parent): ParentRunFacet {
  return facet("parent", {
    run: { runId: parent.runId },
    job: { namespace: parent.job.namespace, name: parent.job.name },
    root: { run: { runId: root.runId }, job: { namespace: root.job.namespace, name: root.job.name } },
  });
}

/**
 * The `nominalTime` run facet: the data interval the run is responsible for (start
 * included, end excluded), the "schedule time" of OpenLineage.
 */
export function nominalTimeRunFacet(interval: {
  start: Date | string;
  end?: Date | string;
}): NominalTimeRunFacet {
  return facet("nominalTime", {
    nominalStartTime: isoTime(interval.start),
    nominalEndTime: interval.end === undefined ? undefined : isoTime(interval.end),
  });
}

/** How deep `errorMessageRunFacet` follows `cause`: a TaskError's cause is the user's error, whose stack matters most. */
const MAX_CAUSES = 5;

/**
 * The `errorMessage` run facet of a failed run: the message and the stack, with the chain
 * of causes (`Caused by: …`, as Java traces read) — a TaskError's own stack says little, its
 * cause's says where the user's code failed. Registered secrets are scrubbed from both:
 * events leave the machine.
 */
export function errorMessageRunFacet(error: unknown): ErrorMessageRunFacet {
  return facet("errorMessage", {
    message: redactSecrets(messageOf(error)),
    programmingLanguage: "TypeScript",
    stackTrace: stackTraceOf(error),
  });
}

function stackTraceOf(error: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth <= MAX_CAUSES; depth++) {
    const stack = current.stack ?? `${current.name}: ${current.message}`;
    parts.push(depth === 0 ? stack : `Caused by: ${stack}`);
    current = current.cause;
  }
  return parts.length === 0 ? undefined : redactSecrets(parts.join("\n"));
}

/** The `processing_engine` run facet: weir, its version, and the version of the code that emitted the event (the same). */
export function processingEngineRunFacet(): ProcessingEngineRunFacet {
  return facet("processing_engine", {
    version: WEIR_VERSION,
    name: "weir",
    openlineageAdapterVersion: WEIR_VERSION,
  });
}

/** An ISO-8601 UTC timestamp; strings are read as instants and written back the same way. */
export function isoTime(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${String(value)}`);
  return date.toISOString();
}
