/** JSON Schemas (2020-12, as OpenAPI 3.1 uses) of what the API returns; `$ref`s point into `components.schemas`. */

const str = { type: "string" } as const;
const instant = { type: "string", format: "date-time" } as const;
const int = { type: "integer" } as const;
const num = { type: "number" } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
});
const list = (items: unknown) => ({ type: "array", items });
const nullable = (schema: unknown) => ({ oneOf: [schema, { type: "null" }] });

const RUN_STATES = ["queued", "running", "succeeded", "failed"];

export const SCHEMAS: Record<string, unknown> = {
  Error: obj(
    {
      error: obj({ code: str, message: str, details: { type: "object" } }, ["code", "message"]),
    },
    ["error"],
  ),
  Health: obj(
    {
      ok: { const: true },
      version: str,
      metadata: obj({ kind: { enum: ["sqlite", "postgres"] }, schemaVersion: int }, [
        "kind",
        "schemaVersion",
      ]),
    },
    ["ok", "version", "metadata"],
  ),
  RunSummary: obj(
    {
      id: str,
      pipeline: str,
      logicalDate: str,
      logicalTime: instant,
      intervalStart: instant,
      intervalEnd: instant,
      state: { enum: RUN_STATES },
      runType: { enum: ["scheduled", "manual", "backfill", "dataset_triggered"] },
      queuedAt: instant,
      startedAt: instant,
      endedAt: instant,
      durationMs: num,
      error: str,
    },
    [
      "id",
      "pipeline",
      "logicalDate",
      "logicalTime",
      "intervalStart",
      "intervalEnd",
      "state",
      "runType",
      "queuedAt",
      "startedAt",
    ],
  ),
  Attempt: obj(
    {
      attempt: int,
      state: str,
      startedAt: instant,
      endedAt: instant,
      durationMs: num,
      error: str,
      rows: obj({ in: int, out: int, rejected: int }),
    },
    ["attempt", "state", "startedAt"],
  ),
  TaskInstance: obj(
    { taskId: str, mapIndex: int, state: str, tryNumber: int, attempts: list(ref("Attempt")) },
    ["taskId", "mapIndex", "state", "tryNumber", "attempts"],
  ),
  RunDetail: {
    allOf: [
      ref("RunSummary"),
      obj(
        {
          params: { type: "object", additionalProperties: str },
          summary: {},
          tasks: list(ref("TaskInstance")),
          edges: list(obj({ from: str, to: str }, ["from", "to"])),
        },
        ["params", "tasks", "edges"],
      ),
    ],
  },
  RunPage: obj({ items: list(ref("RunSummary")), nextCursor: nullable(str), total: int }, [
    "items",
    "nextCursor",
  ]),
  Pipeline: obj(
    {
      id: str,
      description: str,
      owner: str,
      tags: list(str),
      schedule: str,
      timezone: str,
      paused: { type: "boolean" },
      file: str,
      nextRunAt: nullable(instant),
      lastRun: nullable(ref("RunSummary")),
      tasks: list(obj({ id: str, upstream: list(str) }, ["id", "upstream"])),
    },
    ["id", "tags", "paused", "nextRunAt", "lastRun", "tasks"],
  ),
  PipelineDetail: {
    allOf: [ref("Pipeline"), obj({ recentRuns: list(ref("RunSummary")) }, ["recentRuns"])],
  },
  LogLine: obj({ at: instant, level: str, message: str }, ["at", "level", "message"]),
  QualityCheck: obj(
    {
      id: str,
      runId: str,
      dataset: str,
      suite: str,
      checkedAt: instant,
      success: { type: "boolean" },
      rowCount: int,
      score: obj({ checks: nullable(num), rows: nullable(num) }),
      columns: list(obj({ name: str, type: str })),
      details: {},
      results: list({ type: "object" }),
      metrics: { type: "object", additionalProperties: nullable(num) },
    },
    ["id", "dataset", "checkedAt", "success", "results"],
  ),
  QualityCheckPage: obj({ items: list(ref("QualityCheck")), nextCursor: nullable(str) }, [
    "items",
    "nextCursor",
  ]),
  MetricHistory: obj({ points: list(obj({ at: instant, value: nullable(num) }, ["at", "value"])) }, [
    "points",
  ]),
  DatasetSummary: obj(
    {
      name: str,
      kind: { enum: ["lake", "warehouse", "source", "other"] },
      namespace: str,
      lastUpdatedAt: instant,
      qualityScore: num,
    },
    ["name", "kind"],
  ),
  DatasetDetail: {
    allOf: [
      ref("DatasetSummary"),
      obj(
        {
          columns: list(obj({ name: str, type: str }, ["name", "type"])),
          partitions: list(obj({ path: str, key: str, files: int, rows: int, bytes: int })),
        },
        ["columns", "partitions"],
      ),
    ],
  },
  LineageGraph: obj(
    {
      nodes: list(
        obj(
          { id: str, kind: { enum: ["dataset", "job", "column"] }, label: str, namespace: str, name: str },
          ["id", "kind", "label"],
        ),
      ),
      edges: list(obj({ from: str, to: str, kind: str, transformation: str }, ["from", "to"])),
    },
    ["nodes", "edges"],
  ),
  StreamSummary: obj(
    {
      job: str,
      partitions: int,
      state: { enum: ["running", "idle"] },
      watermark: instant,
      lagMs: num,
      eventsPerSecond: num,
      lastCheckpointAt: instant,
    },
    ["job", "partitions", "state"],
  ),
  // The detail's `partitions` lists them; the summary's counts them (the contract's shapes).
  StreamDetail: obj(
    {
      job: str,
      state: { enum: ["running", "idle"] },
      watermark: instant,
      lagMs: num,
      eventsPerSecond: num,
      lastCheckpointAt: instant,
      partitions: list(
        obj(
          {
            partition: str,
            watermark: instant,
            offset: int,
            checkpointAt: instant,
            lateEvents: int,
            deadLetters: int,
          },
          ["partition"],
        ),
      ),
    },
    ["job", "state", "partitions"],
  ),
  Principal: obj(
    {
      tokenId: nullable(str),
      name: str,
      role: { enum: ["viewer", "operator", "admin"] },
      grants: list(str),
      local: { type: "boolean" },
    },
    ["tokenId", "name", "role", "grants", "local"],
  ),
  TokenRecord: obj(
    {
      id: str,
      name: str,
      role: { enum: ["viewer", "operator", "admin"] },
      grants: list(str),
      createdAt: instant,
      lastUsedAt: instant,
      revokedAt: instant,
    },
    ["id", "name", "role", "grants", "createdAt"],
  ),
  TaskEvent: obj({ runId: str, taskId: str, mapIndex: int, state: str, tryNumber: int }, [
    "runId",
    "taskId",
    "mapIndex",
    "state",
    "tryNumber",
  ]),
};
