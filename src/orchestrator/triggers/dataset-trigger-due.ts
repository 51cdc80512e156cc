import { type DatasetCondition, datasetsOf } from "./dataset-condition.js";

/** "A task wrote this dataset", recorded by the executor when a task that declares the write succeeds. */
export interface DatasetEvent {
  dataset: string;
  timestamp: Date;
  /** Store sequence number; when present it orders events that share a timestamp. */
  id?: number;
  /** The run and task that produced it. */
  runId?: string;
  taskId?: string;
  /** The partition written, when the dataset is partitioned. */
  partition?: string;
}

export interface DatasetTriggerOptions {
  /** Only events strictly after this time count (the time of the last dataset-triggered run). */
  after?: Date;
  /** Only events with an `id` greater than this count; preferred over `after` for events that have ids. */
  afterEventId?: number;
}

export interface DatasetTriggerResult {
  due: boolean;
  /** The counting events for datasets of the condition, oldest first: what the new run consumes. */
  events: DatasetEvent[];
  /** Datasets of the condition with no counting event yet (what the pipeline is waiting for). */
  waitingFor: string[];
  /** The newest counting event: store its time/id as the cursor for the next check. */
  latest?: DatasetEvent;
}

/**
 * Decides whether a dataset-scheduled pipeline is due: `condition` is evaluated over the
 * update events that arrived after the last triggered run (`after` / `afterEventId`), with
 * "all of" / "any of" semantics as in Airflow's assets. Several updates of one dataset
 * count once, so ten updates of `a` do not make `{ all: [a, b] }` due without `b`.
 *
 * @example
 * datasetTriggerDue({ all: ["orders", "customers"] }, [{ dataset: "orders", timestamp }]);
 * // { due: false, waitingFor: ["customers"], … }
 */
export function datasetTriggerDue(
  condition: DatasetCondition,
  events: Iterable<DatasetEvent>,
  options: DatasetTriggerOptions = {},
): DatasetTriggerResult {
  const mentioned = new Set(datasetsOf(condition));
  const counting = new Map<string, DatasetEvent[]>();
  for (const event of events) {
    if (!mentioned.has(event.dataset) || !counts(event, options)) continue;
    const list = counting.get(event.dataset);
    if (list) list.push(event);
    else counting.set(event.dataset, [event]);
  }
  const waiting = new Set<string>();
  const evaluate = (c: DatasetCondition): boolean => {
    if (typeof c === "string") {
      const list = counting.get(c);
      if (!list) waiting.add(c);
      return list !== undefined;
    }
    // Evaluate every part (no short-circuit) so `waitingFor` lists everything missing.
    const results = ("all" in c ? c.all : c.any).map(evaluate);
    return "all" in c ? results.every(Boolean) : results.some(Boolean);
  };
  const due = evaluate(condition);
  const used = [...counting.values()].flat().sort(compareEvents);
  const latest = used.at(-1);
  return { due, events: used, waitingFor: [...waiting], ...(latest ? { latest } : {}) };
}

function counts(event: DatasetEvent, options: DatasetTriggerOptions): boolean {
  if (options.afterEventId !== undefined && event.id !== undefined) return event.id > options.afterEventId;
  if (options.after !== undefined) return event.timestamp.getTime() > options.after.getTime();
  return true;
}

function compareEvents(a: DatasetEvent, b: DatasetEvent): number {
  return a.timestamp.getTime() - b.timestamp.getTime() || (a.id ?? 0) - (b.id ?? 0);
}
