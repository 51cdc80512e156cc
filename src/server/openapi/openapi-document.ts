import { SCHEMAS } from "./openapi-schemas.js";

/**
 * The OpenAPI 3.1 description of `weir serve`'s HTTP API, written by hand next to the
 * routes (a test checks that every route the app registers is described here and nothing
 * else is, and that every schema compiles).
 */

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** `{ items: X[] }`, the shape of the unpaginated lists. */
const itemsOf = (name: string) => ({
  type: "object",
  properties: { items: { type: "array", items: ref(name) } },
  required: ["items"],
});
const json = (schema: unknown, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const query = (name: string, description: string, schema: Json = { type: "string" }) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});
const paging = [
  query("limit", "page size, 1–500 (default 50)", { type: "integer", minimum: 1, maximum: 500 }),
  query("cursor", "the nextCursor of the previous page (opaque)"),
];
const body = (schema: Json) => ({ required: false, content: { "application/json": { schema } } });

const read = (summary: string, tag: string, ok: Json, extra: Json = {}) => ({
  tags: [tag],
  summary,
  responses: { "200": ok, ...errors(401, 403, 404) },
  ...extra,
});
const action = (summary: string, tag: string, status: number, ok: Json, extra: Json = {}) => ({
  tags: [tag],
  summary,
  description: "Needs the operator role; written to the audit log.",
  responses: { [String(status)]: ok, ...errors(400, 401, 403, 404, 409) },
  ...extra,
});

const PATHS: Record<string, Json> = {
  "/api/health": {
    get: {
      tags: ["server"],
      summary: "the server is up (no auth)",
      security: [],
      responses: { "200": json(ref("Health")) },
    },
  },
  "/api/openapi.json": {
    get: {
      tags: ["server"],
      summary: "this document (no auth)",
      security: [],
      responses: { "200": json({ type: "object" }) },
    },
  },
  "/api/session": {
    get: read(
      "who the request is (the local principal in local mode)",
      "auth",
      json({ type: "object", properties: { principal: ref("Principal") } }),
    ),
    post: {
      tags: ["auth"],
      summary: "sign in with a token: sets the weir_session and weir_csrf cookies",
      security: [],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: { type: "object", properties: { token: { type: "string" } }, required: ["token"] },
          },
        },
      },
      responses: {
        "200": json({
          type: "object",
          properties: { principal: ref("Principal"), csrfToken: { type: "string" } },
        }),
        ...errors(401, 403),
      },
    },
    delete: {
      tags: ["auth"],
      summary: "sign out: clears the cookies",
      security: [],
      responses: { "200": json({ type: "object" }) },
    },
  },
  "/api/tokens": {
    get: read(
      "API tokens (admin; never their secrets)",
      "auth",
      json({ type: "object", properties: { items: { type: "array", items: ref("TokenRecord") } } }),
    ),
    post: {
      tags: ["auth"],
      summary: "create an API token (admin); the secret is shown once",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: {
                name: { type: "string" },
                role: { enum: ["viewer", "operator", "admin"] },
                grants: { type: "array", items: { type: "string" } },
              },
              required: ["name", "role"],
            },
          },
        },
      },
      responses: {
        "201": json(
          { type: "object", properties: { token: { type: "string" }, record: ref("TokenRecord") } },
          "Created",
        ),
        ...errors(400, 401, 403),
      },
    },
  },
  "/api/tokens/{id}": {
    delete: {
      tags: ["auth"],
      summary: "revoke an API token (admin)",
      parameters: [pathParam("id", "token id")],
      responses: {
        "200": json({ type: "object", properties: { revoked: { const: true } } }),
        ...errors(401, 403, 404),
      },
    },
  },
  "/api/detokenize": {
    post: {
      tags: ["auth"],
      summary: "the value behind a vault token (needs the detokenize grant; audited)",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: { token: { type: "string" }, reason: { type: "string" } },
              required: ["token"],
            },
          },
        },
      },
      responses: {
        "200": json({ type: "object", properties: { value: { type: ["string", "null"] } } }),
        ...errors(400, 401, 403),
      },
    },
  },
  "/api/pipelines": {
    get: read(
      "every pipeline: schedule, paused, next and last run, tasks",
      "pipelines",
      json(itemsOf("Pipeline")),
    ),
  },
  "/api/pipelines/{id}": {
    get: read("one pipeline with its 25 most recent runs", "pipelines", json(ref("PipelineDetail")), {
      parameters: [pathParam("id", "pipeline id")],
    }),
  },
  "/api/pipelines/{id}/runs": {
    post: action(
      "queue a manual run (the scheduler executes it)",
      "pipelines",
      202,
      json({ type: "object", properties: { run: ref("RunSummary") } }, "Accepted"),
      {
        parameters: [pathParam("id", "pipeline id")],
        requestBody: body({
          type: "object",
          properties: {
            logicalDate: {
              type: "string",
              description: "YYYY-MM-DD or an ISO instant; default the latest complete interval",
            },
            params: { type: "object", additionalProperties: { type: "string" } },
          },
        }),
      },
    ),
  },
  "/api/pipelines/{id}/backfill": {
    post: action(
      "queue the runs of a date range (as weir backfill plans them)",
      "pipelines",
      202,
      json({ type: "object", properties: { runs: { type: "array", items: ref("RunSummary") } } }, "Accepted"),
      {
        parameters: [pathParam("id", "pipeline id")],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { start: { type: "string" }, end: { type: "string" } },
                required: ["start", "end"],
              },
            },
          },
        },
      },
    ),
  },
  "/api/pipelines/{id}/pause": {
    post: action(
      "pause: no new runs, queued runs wait",
      "pipelines",
      200,
      json({ type: "object", properties: { pipeline: ref("Pipeline") } }),
      {
        parameters: [pathParam("id", "pipeline id")],
      },
    ),
  },
  "/api/pipelines/{id}/unpause": {
    post: action(
      "unpause",
      "pipelines",
      200,
      json({ type: "object", properties: { pipeline: ref("Pipeline") } }),
      {
        parameters: [pathParam("id", "pipeline id")],
      },
    ),
  },
  "/api/runs": {
    get: read("runs, newest first (keyset pagination)", "runs", json(ref("RunPage")), {
      parameters: [
        query("pipeline", "only this pipeline's runs"),
        query("state", "only runs in this state", { enum: ["queued", "running", "succeeded", "failed"] }),
        ...paging,
      ],
    }),
  },
  "/api/runs/{id}": {
    get: read("one run with its task instances, attempts and task edges", "runs", json(ref("RunDetail")), {
      parameters: [pathParam("id", "run id")],
    }),
  },
  "/api/runs/{id}/tasks/{taskId}/attempts/{attempt}/logs": {
    get: read(
      "an attempt's log lines",
      "runs",
      json({
        type: "object",
        properties: { lines: { type: "array", items: ref("LogLine") } },
        required: ["lines"],
      }),
      {
        parameters: [
          pathParam("id", "run id"),
          pathParam("taskId", "task id"),
          { ...pathParam("attempt", "attempt number (1, 2, …)"), schema: { type: "integer", minimum: 1 } },
          query("mapIndex", "the mapped instance; -1 (default) for an unmapped task", { type: "integer" }),
        ],
      },
    ),
  },
  "/api/runs/{id}/retry": {
    post: action(
      "clear a finished run's failed (or named) tasks and queue it again",
      "runs",
      202,
      json({ type: "object", properties: { run: ref("RunSummary") } }, "Accepted"),
      {
        parameters: [pathParam("id", "run id")],
        requestBody: body({
          type: "object",
          properties: { tasks: { type: "array", items: { type: "string" } } },
        }),
      },
    ),
  },
  "/api/quality/checks": {
    get: read("quality check results, newest first", "quality", json(ref("QualityCheckPage")), {
      parameters: [query("dataset", "only this dataset's checks"), ...paging],
    }),
  },
  "/api/quality/datasets/{dataset}/history": {
    get: read(
      "a dataset's metric over time (score: share of passed checks)",
      "quality",
      json(ref("MetricHistory")),
      {
        parameters: [
          pathParam("dataset", "dataset name"),
          query("metric", "score (default) or a stored metric, e.g. row_count"),
        ],
      },
    ),
  },
  "/api/datasets": {
    get: read("datasets of the lake, the warehouse and sources", "datasets", json(itemsOf("DatasetSummary"))),
  },
  "/api/datasets/{name}": {
    get: read("a dataset's columns and partitions", "datasets", json(ref("DatasetDetail")), {
      parameters: [pathParam("name", "dataset name (may hold / and .)")],
    }),
  },
  "/api/lineage/{dataset}": {
    get: read("the lineage graph around a dataset or column", "lineage", json(ref("LineageGraph")), {
      parameters: [
        pathParam("dataset", "dataset: weir name, namespace/name or OpenLineage name"),
        query("direction", "upstream, impact or both (default)", { enum: ["upstream", "impact", "both"] }),
        query("depth", "job hops to follow (default 3)", { type: "integer", minimum: 0, maximum: 100 }),
        query("column", "a column of the dataset: column-level lineage"),
      ],
    }),
  },
  "/api/streams": {
    get: read(
      "stream jobs: partitions, watermark, lag, last checkpoint",
      "streams",
      json(itemsOf("StreamSummary")),
    ),
  },
  "/api/streams/{job}": {
    get: read("one stream job, partition by partition", "streams", json(ref("StreamDetail")), {
      parameters: [pathParam("job", "stream job id")],
    }),
  },
  "/api/streams/{job}/reset": {
    post: action(
      "forget the job's positions and window state; read again from a point",
      "streams",
      200,
      json({ type: "object", properties: { job: { type: "string" }, reset: { const: true } } }),
      {
        parameters: [pathParam("job", "stream job id")],
        requestBody: body({
          type: "object",
          properties: { to: { type: "string", description: "earliest (default), latest or an ISO instant" } },
        }),
      },
    ),
  },
  "/api/events": {
    get: {
      tags: ["runs"],
      summary: "Server-Sent Events: run (RunSummary), task (TaskEvent), heartbeat every 15 s",
      parameters: [query("runId", "only this run's events")],
      responses: {
        "200": {
          description: "an event stream",
          content: { "text/event-stream": { schema: { type: "string" } } },
        },
        ...errors(401, 403),
      },
    },
  },
  "/metrics": {
    get: {
      tags: ["server"],
      summary: "Prometheus metrics (viewer when tokens exist)",
      responses: {
        "200": {
          description: "Prometheus text format",
          content: { "text/plain": { schema: { type: "string" } } },
        },
        ...errors(401, 403),
      },
    },
  },
};

const RESPONSES = Object.fromEntries(
  [
    [400, "the request is malformed (CONFIG_INVALID)"],
    [401, "no valid API token or session (SERVER_UNAUTHORIZED)"],
    [403, "the role or grants do not allow it, or a CSRF check failed"],
    [404, "no such pipeline, run, dataset or stream job"],
    [409, "the run is executing, or its date has a run already (RUN_CONFLICT)"],
  ].map(([status, description]) => [`E${status}`, json(ref("Error"), String(description))]),
);

/** The document, for `/api/openapi.json`. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "weir",
      version,
      description:
        "The HTTP API of `weir serve`: pipelines, runs, quality, datasets, lineage and streams from the metadata store, and the actions operators take. Errors are `{ error: { code, message, details? } }`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    paths: PATHS,
    components: {
      schemas: SCHEMAS,
      responses: RESPONSES,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an API token: weir_…" },
        session: { type: "apiKey", in: "cookie", name: "weir_session" },
      },
    },
  };
}
