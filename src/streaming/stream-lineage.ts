import { resolve } from "node:path";
import { v7 as uuidv7 } from "uuid";
import { messageOf } from "../core/errors.js";
import { type Logger, warn } from "../core/log.js";
import { tableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { ResolvedDataset, ResolvedInputField } from "../lineage/capture/lineage-model.js";
import { buildRunEvent } from "../lineage/emit/build-run-event.js";
import type { LineageEmitter } from "../lineage/emit/lineage-emitter.js";
import type { LineageEventType } from "../lineage/emit/run-event-spec.js";
import { localFileDataset, natsDataset, tableDataset } from "../lineage/openlineage/dataset-naming.js";
import type { StreamJobDefinition } from "./define-stream-job.js";
import type { NatsTarget } from "./open-stream-parts.js";
import { deadLetterTableOf, lateTableOf } from "./sinks/stream-quarantine.js";
import type { StreamEventListener, StreamRunEvent } from "./stream-events.js";

export interface StreamLineageOptions {
  emitter: LineageEmitter;
  /** Where the events come from: a NATS subject, or a replayed file. */
  source: { nats: NatsTarget } | { file: string };
  /** The engine window rows, dead letters and late events go to. */
  warehouse: Engine;
  lakeRoot: string;
  logger: Logger;
}

/** At most one RUNNING event per partition this often (checkpoints come every second). */
const RUNNING_EVERY_MS = 10_000;

/**
 * OpenLineage for a stream job: each partition's run is a run of job `<job id>`
 * (jobType STREAM, processingType STREAMING) — START when it starts, RUNNING on committed
 * checkpoints (throttled) with the source as input and the lake dataset, window table,
 * dead letters and late events as outputs with what the checkpoint wrote, then COMPLETE
 * (the source ended), ABORT (stopped, lease lost) or FAIL. The column lineage comes from
 * the job's definition: kept fields copied, derived ones computed from the event time,
 * window bounds from the event time, group keys copied, aggregates aggregated.
 */
export function streamLineageListener(
  job: StreamJobDefinition,
  options: StreamLineageOptions,
): StreamEventListener {
  const { emitter } = options;
  const runs = new Map<string, { id: string; lastRunning: number }>();
  const datasets = streamDatasets(job, options);
  let chain = Promise.resolve();
  const send = (eventType: LineageEventType, partition: string, withDatasets: boolean, error?: string) => {
    const run = runs.get(partition);
    if (!run) return;
    const event = buildRunEvent({
      eventType,
      eventTime: new Date().toISOString(),
      runId: run.id,
      job: {
        namespace: emitter.namespace,
        name: job.id,
        jobType: "STREAM",
        processingType: "STREAMING",
        ...(job.description ? { description: job.description } : {}),
      },
      ...(error ? { error: { message: error } } : {}),
      ...(withDatasets
        ? { activity: { inputs: [datasets.input], outputs: datasets.outputs(), sql: [], warnings: [] } }
        : {}),
    });
    // In order, never blocking the stream: the listener is synchronous.
    chain = chain
      .then(() => emitter.emit(event))
      .catch((e: unknown) => warn(options.logger, `lineage: ${job.id}: ${messageOf(e)}`));
  };
  return (event: StreamRunEvent) => {
    switch (event.type) {
      case "stream.partition.started":
        runs.set(event.partition, { id: uuidv7(), lastRunning: 0 });
        send("START", event.partition, true);
        return;
      case "stream.checkpoint": {
        datasets.add(event);
        const run = runs.get(event.partition);
        const now = Date.now();
        if (!run || now - run.lastRunning < RUNNING_EVERY_MS) return;
        run.lastRunning = now;
        send("RUNNING", event.partition, true);
        datasets.reset();
        return;
      }
      case "stream.partition.stopped": {
        const type: LineageEventType =
          event.reason === "end" ? "COMPLETE" : event.reason === "failed" ? "FAIL" : "ABORT";
        send(type, event.partition, true, event.error);
        datasets.reset();
        runs.delete(event.partition);
        return;
      }
    }
  };
}

/** The job's input and outputs, with row counts accumulated since the last event. */
function streamDatasets(job: StreamJobDefinition, options: StreamLineageOptions) {
  const input: ResolvedDataset =
    "nats" in options.source
      ? {
          ...natsDataset(options.source.nats.url, options.source.nats.subject),
          weirName: `source.nats.${options.source.nats.subject}`,
        }
      : { ...localFileDataset(options.source.file), weirName: `source.file.${job.id}` };
  const fieldOf = (field: string): ResolvedInputField => ({
    namespace: input.namespace,
    name: input.name,
    field,
    transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
  });
  const computed = (field: string, subtype: string): ResolvedInputField => ({
    ...fieldOf(field),
    transformations: [{ type: "DIRECT", subtype }],
  });
  const time = job.eventTime.field;
  const schemaFields = Object.keys(job.schema);
  const derived = Object.keys(job.derive ?? {});
  const warehouse = options.warehouse;
  const table = (label: string, weirName = label) => {
    const ref = tableRef(label);
    return {
      ...tableDataset(warehouse.kind, warehouse.location ?? ":memory:", ref.schema, ref.name),
      weirName,
    };
  };
  const lake: ResolvedDataset | undefined = job.events
    ? (() => {
        const id = job.events.lake.startsWith("lake.") ? job.events.lake : `lake.${job.events.lake}`;
        const [, zone, name] = id.split(".");
        const columnLineage: Record<string, ResolvedInputField[]> = {};
        for (const f of schemaFields) columnLineage[f] = [fieldOf(f)];
        for (const d of derived) columnLineage[d] = [computed(time, "TRANSFORMATION")];
        return {
          ...localFileDataset(resolve(options.lakeRoot, zone ?? "raw", name ?? id)),
          weirName: id,
          columnLineage,
        };
      })()
    : undefined;
  const windowTable = job.windows ?? undefined;
  const windows: ResolvedDataset = (() => {
    const label = windowTable?.table ?? `${job.id.replace(/\W/g, "_")}_windows`;
    const columnLineage: Record<string, ResolvedInputField[]> = {
      window_start: [computed(time, "TRANSFORMATION")],
      window_end: [computed(time, "TRANSFORMATION")],
    };
    for (const g of windowTable?.groupBy ?? [])
      columnLineage[g] = [derived.includes(g) ? computed(time, "TRANSFORMATION") : fieldOf(g)];
    for (const [name, spec] of Object.entries(windowTable?.aggregates ?? {}))
      columnLineage[name] = "field" in spec && spec.field ? [computed(spec.field, "AGGREGATION")] : [];
    return {
      ...table(label),
      columnLineage,
      datasetLineage: [
        ...(windowTable?.groupBy ?? [])
          .filter((g) => !derived.includes(g))
          .map((g) => ({
            ...fieldOf(g),
            transformations: [{ type: "INDIRECT" as const, subtype: "GROUP_BY" }],
          })),
        { ...fieldOf(time), transformations: [{ type: "INDIRECT" as const, subtype: "WINDOW" }] },
      ],
    };
  })();
  const deadLetters = table(labelOf(deadLetterTableOf(job.id)));
  const late = table(labelOf(lateTableOf(job.id)));
  const counts = { events: 0, windows: 0, dead: 0, late: 0 };
  return {
    input,
    add(event: Extract<StreamRunEvent, { type: "stream.checkpoint" }>) {
      counts.events += event.eventsWritten;
      counts.windows += event.windowsWritten;
      counts.dead = event.counts.deadLettered;
      counts.late = event.counts.late;
    },
    reset() {
      counts.events = 0;
      counts.windows = 0;
    },
    outputs(): ResolvedDataset[] {
      return [
        ...(lake ? [{ ...lake, rows: counts.events }] : []),
        ...(job.windows ? [{ ...windows, rows: counts.windows }] : []),
        deadLetters,
        late,
      ];
    },
  };
}

function labelOf(t: { schema?: string | undefined; name: string }): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}
