import { type Clock, systemClock } from "../core/clock.js";
import { PipelineError } from "../core/errors.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import type { PipelineEntry } from "../orchestrator/pipeline-registry.js";
import type { ServerAppOptions } from "./server-options.js";

/** What every route group reads: the options with their defaults, pipelines by id. */
export interface ServerContext {
  options: ServerAppOptions;
  store: MetadataStore;
  clock: Clock;
  scheduleStart: Date;
  pipelines: ReadonlyMap<string, PipelineEntry>;
  /** The loaded pipeline, or PIPELINE_NOT_FOUND (404). */
  requirePipeline(id: string): PipelineEntry;
}

export function serverContext(options: ServerAppOptions): ServerContext {
  const clock = options.clock ?? systemClock;
  const pipelines = new Map((options.pipelines ?? []).map((p) => [p.id, p]));
  return {
    options,
    store: options.store,
    clock,
    scheduleStart: options.scheduleStart ?? clock.now(),
    pipelines,
    requirePipeline(id) {
      const entry = pipelines.get(id);
      if (!entry) {
        throw new PipelineError(
          "PIPELINE_NOT_FOUND",
          `no pipeline "${id}" is loaded by this server (pipelines: ${[...pipelines.keys()].join(", ") || "none"})`,
          { details: { pipeline: id } },
        );
      }
      return entry;
    },
  };
}
