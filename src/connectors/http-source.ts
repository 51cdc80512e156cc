import type { z } from "zod";
import type { RecordBatch } from "../core/batch.js";
import { ConnectorError } from "../core/errors.js";
import type { Field, Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { coerceColumns, valueText } from "./coerce.js";
import { defineSource, parseSourceConfig } from "./define-source.js";
import { extractBatches } from "./extract-batches.js";
import { HttpCredentials } from "./http-credentials.js";
import { fetchJson, redactUrl } from "./http-fetch.js";
import { type HttpSourceConfig, httpSourceConfig } from "./http-source-config.js";
import { filterByCursor } from "./incremental.js";
import { inferRecordSchema } from "./infer-record-schema.js";
import type { ExtractResult, ReadContext, Source } from "./source.js";

export { type HttpSourceConfig, httpSourceConfig } from "./http-source-config.js";

type Config = z.output<typeof httpSourceConfig>;

function atPath(body: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean);
  let node = body;
  for (const p of parts)
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined;
  return node;
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /rel="?next"?/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

function boundParam(date: Date, format: "iso" | "date" | "unix"): string {
  if (format === "unix") return String(Math.floor(date.getTime() / 1000));
  return format === "date" ? date.toISOString().slice(0, 10) : date.toISOString();
}

/**
 * Reads records from a paginated JSON API (page number, offset or cursor/Link pagination)
 * with retries on 429/5xx. Records are coerced column by column to the declared or
 * inferred schema; records that do not fit become rejections naming the page URL, the
 * record's index on the page and the column. The run's interval goes out as query
 * parameters and is applied again client-side, since APIs are often loose about bounds.
 *
 * The credential (`auth`) is sent only to the `url`'s origin and `auth.allowedOrigins`, on
 * every page and every redirect hop; a `Link` or a redirect elsewhere is still followed,
 * without it (`HttpCredentials`). It is registered as a secret when the source is built,
 * so a server echoing it in an error body is scrubbed from messages and the metadata store.
 */
export class HttpSource implements Source {
  readonly type = "http";
  readonly location: string;
  private readonly config: Config;
  private readonly credentials: HttpCredentials;
  private cachedSchema: Schema | undefined;

  constructor(config: HttpSourceConfig) {
    this.config = parseSourceConfig("http", httpSourceConfig, config);
    this.location = redactUrl(this.config.url);
    this.credentials = new HttpCredentials({
      url: this.config.url,
      allowedOrigins: this.config.auth?.allowedOrigins,
      headers: { Accept: "application/json", ...this.config.headers },
      auth: this.config.auth,
    });
  }

  private firstUrl(context: Pick<ReadContext, "interval">): URL {
    const url = new URL(this.config.url);
    for (const [k, v] of Object.entries(this.config.query)) url.searchParams.set(k, v);
    const iv = this.config.interval;
    if (iv && context.interval) {
      if (iv.startParam) url.searchParams.set(iv.startParam, boundParam(context.interval.start, iv.format));
      if (iv.endParam) url.searchParams.set(iv.endParam, boundParam(context.interval.end, iv.format));
    }
    const p = this.config.pagination;
    if (p.style === "page") {
      url.searchParams.set(p.pageParam, String(p.firstPage));
      url.searchParams.set(p.sizeParam, String(p.size));
    } else if (p.style === "offset") {
      url.searchParams.set(p.offsetParam, "0");
      url.searchParams.set(p.limitParam, String(p.limit));
    }
    return url;
  }

  /** One page; `from` is the page whose link led here (credentials follow the origin rule). */
  private async fetchPage(
    url: URL,
    signal?: AbortSignal,
    from?: URL,
  ): Promise<{ records: unknown[]; body: unknown; headers: Headers }> {
    const { retry, timeoutMs } = this.config;
    const response = await fetchJson(url, {
      headersFor: (hopFrom, to) => this.credentials.headersFor(hopFrom, to),
      from,
      retry,
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const records = atPath(response.body, this.config.recordsPath);
    if (!Array.isArray(records)) {
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `GET ${redactUrl(url)}: expected an array of records at "${this.config.recordsPath || "(body)"}", found ${records === null ? "null" : typeof records}`,
        { details: { url: redactUrl(url), recordsPath: this.config.recordsPath } },
      );
    }
    return { records, body: response.body, headers: response.headers };
  }

  async schema(): Promise<Schema> {
    if (this.cachedSchema) return this.cachedSchema;
    const overrides = this.config.columns ?? {};
    let fields: Field[];
    if (this.config.schema) {
      fields = Object.entries(this.config.schema).map(([name, type]) => ({ name, type }));
    } else {
      // Inferred from the first page; declare `schema` to avoid the extra request.
      const { records } = await this.fetchPage(this.firstUrl({}));
      fields = inferRecordSchema(records).fields;
      for (const name of Object.keys(overrides)) {
        if (!fields.some((f) => f.name === name)) fields.push({ name, type: overrides[name]! });
      }
    }
    this.cachedSchema = { fields: fields.map((f) => ({ ...f, type: overrides[f.name] ?? f.type })) };
    return this.cachedSchema;
  }

  async *read(context: ReadContext): AsyncGenerator<RecordBatch> {
    const schema = await this.schema();
    const p = this.config.pagination;
    let url: URL | undefined = this.firstUrl(context);
    let from: URL | undefined;
    for (let page = 1; url && page <= this.config.maxPages; page++) {
      const { records, body, headers } = await this.fetchPage(url, context.signal, from);
      yield* this.toBatches(schema, records, url, page, context);
      const current: URL = url;
      from = current;
      url = undefined;
      if (p.style === "page" && records.length >= p.size) {
        url = new URL(current);
        url.searchParams.set(p.pageParam, String(p.firstPage + page));
      } else if (p.style === "offset" && records.length >= p.limit) {
        url = new URL(current);
        url.searchParams.set(
          p.offsetParam,
          String(Number(current.searchParams.get(p.offsetParam)) + records.length),
        );
      } else if (p.style === "cursor") {
        if (p.cursorPath) {
          const next = atPath(body, p.cursorPath);
          if (next !== null && next !== undefined && next !== "" && records.length > 0) {
            url = new URL(current);
            url.searchParams.set(p.cursorParam, String(next));
          }
        } else {
          const link = nextLink(headers.get("link"));
          if (link) url = new URL(link, current);
        }
      }
    }
  }

  private *toBatches(schema: Schema, records: unknown[], url: URL, page: number, context: ReadContext) {
    const label = redactUrl(url);
    const n = records.length;
    const raw = schema.fields.map(() => new Array<unknown>(n));
    const notObject = new Set<number>();
    for (let i = 0; i < n; i++) {
      const rec = records[i];
      if (rec === null || typeof rec !== "object" || Array.isArray(rec)) {
        notObject.add(i);
        continue;
      }
      for (let c = 0; c < schema.fields.length; c++)
        raw[c]![i] = (rec as Record<string, unknown>)[schema.fields[c]!.name];
    }
    for (const i of notObject) {
      context.reject?.({
        location: label,
        line: i + 1,
        reason: `page ${page}, record ${i + 1}: not a JSON object`,
        raw: valueText(records[i]),
      });
    }
    // Non-object records were given no values; drop them before coercion so they are not counted twice.
    const keep = notObject.size === 0 ? undefined : [...Array(n).keys()].filter((i) => !notObject.has(i));
    const cols = keep ? raw.map((col) => keep.map((i) => col[i])) : raw;
    const index = keep ?? [...Array(n).keys()];
    const { batch, failures } = coerceColumns(schema, cols, index.length);
    for (const f of failures) {
      const at = index[f.row]! + 1;
      context.reject?.({
        location: label,
        line: at,
        column: f.field.name,
        expected: f.field.type,
        value: valueText(f.value),
        reason: `page ${page}, record ${at}, field "${f.field.name}": ${f.reason}`,
        raw: valueText(records[at - 1]),
      });
    }
    const cursor = this.config.incremental?.cursorColumn;
    if (!cursor) {
      if (batch.numRows > 0) yield batch;
      return;
    }
    const { batch: kept, skipped } = filterByCursor(batch, cursor, context);
    if (skipped > 0) context.skipped?.(skipped);
    if (kept.numRows > 0) yield kept;
  }

  extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
    return extractBatches(this, engine, target, context, cursorColumn ? { cursorColumn } : {});
  }
}

export const httpSourceDefinition = defineSource({
  type: "http",
  description: "records from a paginated JSON HTTP API",
  config: httpSourceConfig,
  create: (config) => new HttpSource(config),
});
