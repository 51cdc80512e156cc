import { z } from "zod";
import { columnTypesConfig } from "./define-source.js";
import { incrementalConfig } from "./incremental.js";

const pagination = z.discriminatedUnion("style", [
  z.object({ style: z.literal("none") }),
  z.object({
    style: z.literal("page"),
    pageParam: z.string().default("page").describe("query parameter carrying the page number"),
    sizeParam: z.string().default("per_page").describe("query parameter carrying the page size"),
    size: z.number().int().positive().default(100).describe("records per page; a shorter page is the last"),
    firstPage: z.number().int().default(1).describe("number of the first page"),
  }),
  z.object({
    style: z.literal("offset"),
    offsetParam: z.string().default("offset").describe("query parameter carrying the offset"),
    limitParam: z.string().default("limit").describe("query parameter carrying the limit"),
    limit: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe("records per request; a shorter page is the last"),
  }),
  z.object({
    style: z.literal("cursor"),
    cursorParam: z.string().default("cursor").describe("query parameter that carries the next cursor"),
    cursorPath: z
      .string()
      .optional()
      .describe(
        "dot path of the next cursor in the body (e.g. `meta.next`); without it the `Link: rel=next` header is followed",
      ),
  }),
]);

/**
 * The config of the `http` source: endpoint, fixed query and headers, the credential (read
 * from the environment, sent only to trusted origins), records path, pagination, interval
 * parameters, schema, retries and limits. Every field is described for the reference docs.
 */
export const httpSourceConfig = z.object({
  url: z.string().url().describe("the endpoint; put secrets in `auth`, not here"),
  query: z.record(z.string(), z.string()).default({}).describe("fixed query parameters"),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe(
      "fixed, non-secret request headers; one whose name looks like a credential (`X-Api-Key`, `Cookie`…) is kept to trusted origins like `auth`",
    ),
  auth: z
    .object({
      env: z.string().min(1).describe("name of the environment variable holding the credential"),
      header: z.string().default("Authorization").describe("header to send it in"),
      scheme: z.string().optional().describe('prefix such as "Bearer"'),
      allowedOrigins: z
        .array(z.string().url())
        .default([])
        .describe(
          "other origins (`https://files.example.com`) trusted with the credential; it goes only to the `url`'s origin (scheme, host, port) and these, on every page and redirect, and never from https to http. Requests elsewhere are still made, without it",
        ),
    })
    .optional()
    .describe("credential read from the environment at request time; never its value in config"),
  recordsPath: z
    .string()
    .default("")
    .describe("dot path of the records array in the body; empty = the body is the array"),
  pagination: pagination.default({ style: "none" }).describe("how to walk the pages"),
  interval: z
    .object({
      startParam: z
        .string()
        .optional()
        .describe("query parameter for the interval start, e.g. `updated_since`"),
      endParam: z.string().optional().describe("query parameter for the interval end, e.g. `updated_before`"),
      format: z.enum(["iso", "date", "unix"]).default("iso").describe("how the bounds are written"),
    })
    .optional()
    .describe("pass the run's interval to the API; rows are also filtered client-side by `incremental`"),
  incremental: incrementalConfig.optional(),
  schema: columnTypesConfig
    .optional()
    .describe("the full declared schema (column → type); no inference request"),
  columns: columnTypesConfig.optional(),
  retry: z
    .object({
      maxAttempts: z.number().int().positive().default(5).describe("attempts per request before giving up"),
      baseDelayMs: z.number().nonnegative().default(500).describe("first backoff delay"),
      maxDelayMs: z.number().nonnegative().default(30_000).describe("longest wait, also caps Retry-After"),
    })
    .default({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 }),
  timeoutMs: z.number().int().positive().default(30_000).describe("per-request timeout"),
  maxPages: z
    .number()
    .int()
    .positive()
    .default(100_000)
    .describe("stop after this many pages (guards endless APIs)"),
});

export type HttpSourceConfig = z.input<typeof httpSourceConfig>;
