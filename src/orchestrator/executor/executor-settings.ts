import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore, RowCounts, RunRecord } from "../../metadata/metadata-store.js";
import type { Notification } from "../../notifications/notification.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import type { DatasetCounts, RunEventListener } from "../run-events.js";
import type { NodeStats } from "./task-node.js";
import type { TaskRunner } from "./task-runner.js";

/** What `executeRun` resolved for one execution of a claimed run (every default applied). */
export interface ExecutorSettings {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  runtime: { engine: Engine; lake: Lake };
  run: RunRecord;
  /** The run was in the store before this execution (created queued, cleared, or interrupted): load its state. */
  existing: boolean;
  owner: string;
  clock: Clock;
  signal?: AbortSignal;
  listeners: readonly RunEventListener[];
  notify?: (notification: Notification) => Promise<void>;
  logger: Logger;
  concurrency: number;
  heartbeatMs: number;
  /** An attempt whose heartbeat is older than this is dead: its pool slots may be reaped. */
  heartbeatTimeoutMs: number;
  pollMs: number;
  random: () => number;
  pauseAt?: string;
  /** Where attempts' code runs; absent: in this process (the local executor). */
  taskRunner?: TaskRunner;
  /** The pipeline's file, for workers that load it themselves. */
  pipelineFile?: string;
}

/** What one attempt recorded through its context; a row count it never recorded stays absent. */
export interface AttemptStats extends NodeStats {
  rows: RowCounts;
  datasets: Record<string, DatasetCounts>;
}
