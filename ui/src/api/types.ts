/** The shapes of `weir serve`'s JSON API (docs/ui.md, the API contract). */

export type Role = "viewer" | "operator" | "admin";

export interface Principal {
  tokenId: string | null;
  name: string;
  role: Role;
  grants: string[];
  local: boolean;
}

export type RunState = "queued" | "running" | "succeeded" | "failed";

export interface RunSummary {
  id: string;
  pipeline: string;
  logicalDate: string;
  logicalTime: string;
  intervalStart: string;
  intervalEnd: string;
  state: RunState;
  runType: string;
  queuedAt: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  error?: string;
}

export interface Pipeline {
  id: string;
  description?: string;
  owner?: string;
  tags: string[];
  schedule?: string;
  timezone?: string;
  paused: boolean;
  file?: string;
  nextRunAt: string | null;
  lastRun: RunSummary | null;
  tasks: { id: string; upstream: string[] }[];
}

export interface PipelineDetail extends Pipeline {
  recentRuns: RunSummary[];
}

export interface Attempt {
  attempt: number;
  state: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  error?: string;
  rows?: { in?: number; out?: number; rejected?: number };
}

export interface TaskInstance {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  attempts: Attempt[];
}

export interface RunDetail extends RunSummary {
  params: Record<string, string>;
  summary?: unknown;
  tasks: TaskInstance[];
  edges: { from: string; to: string }[];
}

export interface LogLine {
  at: string;
  level: string;
  message: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export interface QualityResult {
  name: string;
  type: string;
  severity: string;
  success: boolean;
  elementCount?: number;
  unexpectedCount?: number;
  unexpectedPercent?: number | null;
  observedValue?: unknown;
}

export interface QualityCheck {
  id: string;
  runId?: string;
  dataset: string;
  suite?: string;
  success: boolean;
  /** The share of passed checks; the store's record also has the share of passing rows. */
  score?: number | { checks: number | null; rows: number | null };
  checkedAt: string;
  rowCount?: number;
  results: QualityResult[];
}

export interface DatasetSummary {
  name: string;
  kind: "lake" | "warehouse" | "source" | "other";
  namespace?: string;
  lastUpdatedAt?: string;
  qualityScore?: number;
}

export interface DatasetDetail extends DatasetSummary {
  columns: { name: string; type: string }[];
  partitions: { path?: string; key?: string; files?: number; rows?: number; bytes?: number }[];
}

export interface LineageNode {
  id: string;
  kind: "dataset" | "job" | "column";
  label: string;
  namespace?: string;
  name?: string;
}

export interface LineageGraphData {
  nodes: LineageNode[];
  edges: { from: string; to: string; kind?: string; transformation?: string }[];
}

export interface StreamSummary {
  job: string;
  partitions: number;
  state: string;
  watermark?: string;
  lagMs?: number;
  eventsPerSecond?: number;
  lastCheckpointAt?: string;
}

export interface StreamPartition {
  partition: string | number;
  watermark?: string;
  offset?: string | number;
  checkpointAt?: string;
  lateEvents?: number;
  deadLetters?: number;
}

export interface StreamDetail extends Omit<StreamSummary, "partitions"> {
  partitions: StreamPartition[];
}

export interface TaskEvent {
  runId: string;
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
}

/** An API token as `GET /api/tokens` lists it: never its secret. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  grants: string[];
  createdAt: string;
  createdBy?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}
