import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { ConnectorError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { backoffDelay, redactUrl, retryAfterMs } from "./http-fetch.js";
import { HttpSource } from "./http-source.js";
import type { Rejection } from "./source.js";

const ITEMS = Array.from({ length: 25 }, (_, i) => ({
  id: i + 1,
  name: `item ${i + 1}`,
  updated_at: `2024-01-0${1 + (i % 2)}T${String(i % 24).padStart(2, "0")}:00:00Z`,
}));

let server: Server;
let base = "";
const hits = new Map<string, number>();
let lastAuth: string | undefined;
const seen: URL[] = [];

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", base);
  seen.push(url);
  lastAuth = req.headers.authorization;
  const count = (hits.get(url.pathname) ?? 0) + 1;
  hits.set(url.pathname, count);
  const q = url.searchParams;
  switch (url.pathname) {
    case "/flaky-429":
      return count === 1
        ? send(res, 429, { error: "slow down" }, { "retry-after": "1" })
        : send(res, 200, ITEMS.slice(0, 3));
    case "/flaky-503":
      return count <= 2 ? send(res, 503, { error: "busy" }) : send(res, 200, { data: ITEMS.slice(0, 2) });
    case "/down":
      return send(res, 500, { error: "broken" });
    case "/forbidden":
      return send(res, 403, { error: "no" });
    case "/pages": {
      const page = Number(q.get("page"));
      const size = Number(q.get("per_page"));
      return send(res, 200, { items: ITEMS.slice((page - 1) * size, page * size) });
    }
    case "/offsets": {
      const offset = Number(q.get("offset"));
      return send(res, 200, { items: ITEMS.slice(offset, offset + Number(q.get("limit"))) });
    }
    case "/cursor": {
      const at = Number(q.get("cursor") ?? 0);
      const next = at + 10 < ITEMS.length ? String(at + 10) : null;
      return send(res, 200, { items: ITEMS.slice(at, at + 10), meta: { next } });
    }
    case "/link": {
      const at = Number(q.get("at") ?? 0);
      const headers: Record<string, string> = {};
      if (at + 10 < ITEMS.length)
        headers.link = `<${base}/link?at=${at + 10}>; rel="next", <${base}/link?at=0>; rel="first"`;
      return send(res, 200, ITEMS.slice(at, at + 10), headers);
    }
    case "/typed":
      return send(res, 200, [
        { id: 1, name: "ok", updated_at: "2024-01-01T10:00:00Z" },
        { id: "abc", name: "bad id", updated_at: "2024-01-01T11:00:00Z" },
        { id: 3, name: "bad time", updated_at: "2024-13-45" },
        "not an object",
        { id: 5, name: { nested: true }, updated_at: "2024-01-01T12:00:00Z" },
      ]);
    default:
      return send(res, 404, { error: "not found" });
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  hits.clear();
  seen.length = 0;
});

const fast = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 2000 };
const noReject = { reject: () => {} };

describe("HttpSource", () => {
  it("honours Retry-After on 429, then reads", async () => {
    const source = new HttpSource({ url: `${base}/flaky-429`, retry: fast });
    const started = Date.now();
    const rows = await collectBatches(source.read(noReject));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    // One inference request (429 + 200), then the read.
    expect(hits.get("/flaky-429")).toBe(3);
  });

  it("retries 503 twice with backoff, then reads", async () => {
    const source = new HttpSource({
      url: `${base}/flaky-503`,
      recordsPath: "data",
      retry: fast,
      schema: { id: "integer", name: "varchar" },
    });
    const rows = await collectBatches(source.read(noReject));
    expect(rows).toEqual([
      { id: 1, name: "item 1" },
      { id: 2, name: "item 2" },
    ]);
    expect(hits.get("/flaky-503")).toBe(3);
  });

  it("gives up after maxAttempts with a retryable error naming the redacted URL and status", async () => {
    const source = new HttpSource({
      url: `${base}/down?api_key=s3cr3t&region=eu`,
      retry: fast,
      schema: { id: "integer" },
    });
    const error = await collectBatches(source.read(noReject)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    const e = error as ConnectorError;
    expect(e.code).toBe("CONNECTOR_HTTP_FAILED");
    expect(e.retryable).toBe(true);
    expect(e.message).toContain("HTTP 500");
    expect(e.message).toContain("api_key=***");
    expect(e.message).toContain("region=eu");
    expect(e.message).not.toContain("s3cr3t");
    expect(hits.get("/down")).toBe(4);
  });

  it("fails at once on other 4xx, not retryable", async () => {
    const source = new HttpSource({ url: `${base}/forbidden`, retry: fast, schema: { id: "integer" } });
    const error = (await collectBatches(source.read(noReject)).catch((e: unknown) => e)) as ConnectorError;
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("403");
    expect(hits.get("/forbidden")).toBe(1);
  });

  it.each([
    ["page", { url: "/pages", pagination: { style: "page", size: 10 } }, 3],
    ["offset", { url: "/offsets", pagination: { style: "offset", limit: 10 } }, 3],
    ["cursor in body", { url: "/cursor", pagination: { style: "cursor", cursorPath: "meta.next" } }, 3],
    ["Link header", { url: "/link", recordsPath: "", pagination: { style: "cursor" } }, 3],
  ] as const)("walks %s pagination to the end", async (_name, config, requests) => {
    const source = new HttpSource({
      recordsPath: "items",
      ...config,
      url: `${base}${config.url}`,
      retry: fast,
      schema: { id: "integer", updated_at: "timestamptz" },
    });
    const rows = await collectBatches(source.read(noReject));
    expect(rows.map((r) => r.id)).toEqual(ITEMS.map((i) => i.id));
    expect(seen).toHaveLength(requests);
  });

  it("infers the schema, sends the interval, filters client-side and authenticates from the environment", async () => {
    process.env.WEIR_TEST_HTTP_TOKEN = "tok-123";
    const source = new HttpSource({
      url: `${base}/pages`,
      recordsPath: "items",
      pagination: { style: "page", size: 10 },
      auth: { env: "WEIR_TEST_HTTP_TOKEN", scheme: "Bearer" },
      interval: { startParam: "updated_since", endParam: "updated_before" },
      incremental: { cursorColumn: "updated_at" },
      retry: fast,
    });
    expect((await source.schema()).fields).toEqual([
      { name: "id", type: "bigint" },
      { name: "name", type: "varchar" },
      { name: "updated_at", type: "timestamptz" },
    ]);
    const engine = await DuckDBEngine.create();
    const interval = { start: new Date("2024-01-02T00:00:00Z"), end: new Date("2024-01-03T00:00:00Z") };
    const result = await source.extract(engine, { name: "items" }, { ...noReject, interval });
    expect(lastAuth).toBe("Bearer tok-123");
    expect(seen.at(-1)!.searchParams.get("updated_since")).toBe("2024-01-02T00:00:00.000Z");
    expect(seen.at(-1)!.searchParams.get("updated_before")).toBe("2024-01-03T00:00:00.000Z");
    // The test API ignores the bounds, so the client-side filter does the work.
    expect(result.rowsLoaded).toBe(12);
    expect(result.rowsSkipped).toBe(13);
    expect(result.cursor).toBe("2024-01-02T23:00:00Z");
    await engine.close();
    delete process.env.WEIR_TEST_HTTP_TOKEN;
    await expect(source.read(noReject)[Symbol.asyncIterator]().next()).rejects.toThrow(
      /WEIR_TEST_HTTP_TOKEN/,
    );
  });

  it("turns records that do not coerce into rejections with page and index", async () => {
    const source = new HttpSource({
      url: `${base}/typed?token=abc`,
      schema: { id: "integer", name: "varchar", updated_at: "timestamp" },
      retry: fast,
    });
    const rejections: Rejection[] = [];
    const rows = await collectBatches(source.read({ reject: (r) => rejections.push(r) }));
    expect(rows).toEqual([{ id: 1, name: "ok", updated_at: "2024-01-01 10:00:00" }]);
    expect(rejections.map((r) => [r.line, r.column, r.expected])).toEqual([
      [4, undefined, undefined],
      [2, "id", "integer"],
      [3, "updated_at", "timestamp"],
      [5, "name", "varchar"],
    ]);
    expect(rejections[1]!.reason).toContain("page 1, record 2");
    expect(rejections[1]!.location).toBe(`${base}/typed?token=***`);
    expect(rows.length + rejections.length).toBe(5);
  });

  it("redacts, backs off and reads Retry-After", () => {
    expect(redactUrl("https://u:p@x.io/a?password=1&Secret_Key=2&page=3")).toBe(
      "https://***:***@x.io/a?password=***&Secret_Key=***&page=3",
    );
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
