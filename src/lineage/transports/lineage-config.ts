import { z } from "zod";
import { DEFAULT_JOB_NAMESPACE } from "../openlineage/producer.js";

/**
 * The `lineage` block of `weir.config.ts`: where OpenLineage events go. By default every
 * event is appended to `<weir home>/lineage/events-YYYY-MM-DD.ndjson`; add an `http`
 * transport to send them to Marquez or any OpenLineage endpoint too.
 *
 * @example
 * lineage: {
 *   namespace: "acme-prod",
 *   transports: [{ type: "file" }, { type: "http", url: "http://marquez:5000", apiKeyEnv: "MARQUEZ_API_KEY" }],
 * }
 */

const fileTransport = z
  .strictObject({
    type: z.literal("file"),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "folder of the event files; default <weir home>/lineage; a relative path is resolved against the weir home",
      ),
  })
  .describe("NDJSON files, one per UTC day: events-YYYY-MM-DD.ndjson");

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");

const httpTransport = z
  .strictObject({
    type: z.literal("http"),
    url: z
      .url({ protocol: /^https?$/ })
      .describe("the endpoint's base URL (http://marquez:5000), or the full endpoint URL when it has a path"),
    endpoint: z.string().min(1).optional().describe("appended to a base URL; default api/v1/lineage"),
    apiKeyEnv: envName
      .optional()
      .describe("environment variable holding the API key, sent as Authorization: Bearer"),
    timeoutMs: z.number().int().positive().optional().describe("one request's timeout in ms; default 5000"),
    maxBuffer: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("events kept in memory while the endpoint is down; default 10000, the oldest dropped first"),
    retries: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("retries of a network error, 5xx or 429, with exponential backoff; default 5"),
  })
  .describe("POST each event as JSON to an OpenLineage endpoint (Marquez: /api/v1/lineage)");

const consoleTransport = z
  .strictObject({ type: z.literal("console") })
  .describe("one JSON line per event on stderr");

export const lineageTransportSchema = z.discriminatedUnion("type", [
  fileTransport,
  httpTransport,
  consoleTransport,
]);

/**
 * The schema of the `lineage` block. An absent block is the defaults (it `prefault`s to
 * `{}`), so the project config can use it as `lineage: lineageConfigSchema`.
 */
export const lineageConfigSchema = z
  .strictObject({
    namespace: z
      .string()
      .min(1)
      .default(DEFAULT_JOB_NAMESPACE)
      .describe("the OpenLineage namespace of weir's jobs (the scheduler's name); default weir"),
    transports: z
      .array(lineageTransportSchema)
      .default([{ type: "file" }])
      .describe('where events go; default [{ type: "file" }]; [] sends them nowhere'),
    disabled: z
      .boolean()
      .default(false)
      .describe("emit no lineage at all (as OPENLINEAGE_DISABLED=true does)"),
  })
  .prefault({})
  .describe("OpenLineage events for every task attempt, stream checkpoint and quality run");

export type LineageConfig = z.output<typeof lineageConfigSchema>;
export type LineageConfigInput = z.input<typeof lineageConfigSchema>;
export type LineageTransportConfig = z.output<typeof lineageTransportSchema>;
