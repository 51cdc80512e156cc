import type { Clock } from "../core/clock.js";
import type { WeirPaths } from "../core/paths.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import type { PipelineEntry } from "../orchestrator/pipeline-registry.js";
import type { RunEventHub } from "./events/run-event-hub.js";

/** What `GET /metrics` answers: Prometheus text and its content type. */
export type MetricsRenderer = () => Promise<{ contentType: string; body: string }>;

/**
 * Resets a stream job's partitions to read from `to` ("earliest", "latest" or an ISO instant)
 * and says where each partition now reads after. The CLI's opens the job's source (as
 * `weir stream reset` does); without one, only "earliest" of the partitions the store knows.
 */
export type StreamResetter = (job: string, to: string) => Promise<{ partition: string; after: number }[]>;

/** Everything `createServerApp` serves from. Only the metadata store is required. */
export interface ServerAppOptions {
  store: MetadataStore;
  /** The loaded pipelines (definitions: tasks, schedules); actions need the pipeline's. */
  pipelines?: readonly PipelineEntry[];
  /** The home's layout: lake datasets' partitions are read from its manifests. */
  paths?: WeirPaths;
  clock?: Clock;
  /** weir's version, for `/api/health`. */
  version?: string;
  /** The host the server listens on: local mode (no tokens) is allowed on loopback only. */
  listenHost?: string;
  /** The built UI (`ui/dist`); `/` answers 503 when it is missing. */
  uiDir?: string;
  metrics?: MetricsRenderer;
  /** In-process run events (the embedded scheduler's), pushed to SSE clients at once. */
  runEvents?: RunEventHub;
  streamReset?: StreamResetter;
  /** How often SSE looks for changed runs in the store; default 500 ms. */
  pollMs?: number;
  /** SSE heartbeat period; default 15 s. */
  heartbeatMs?: number;
  /** Aborted when the server closes: SSE streams end. */
  signal?: AbortSignal;
  /** When schedules count from for pipelines without a `startDate` (the scheduler's start). */
  scheduleStart?: Date;
}
