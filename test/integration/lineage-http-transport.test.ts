import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/secret.js";
import type { LogEvent } from "../../src/core/log.js";
import type { RunEvent } from "../../src/lineage/openlineage/types.js";
import { validateRunEvent } from "../../src/lineage/openlineage/validate-run-event.js";
import { endpointUrl, HttpTransport } from "../../src/lineage/transports/http-transport.js";
import { sampleRunEvent } from "../support/lineage-events.js";

/** A real OpenLineage-like endpoint on a local port: records every request, answers as told. */
interface Endpoint {
  url: string;
  port: number;
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

type Answer = (request: Endpoint["requests"][number], res: ServerResponse) => void;

const servers: Server[] = [];
const transports: HttpTransport[] = [];

async function startEndpoint(
  answer: Answer = (_req, res) => res.writeHead(201).end(),
  port = 0,
): Promise<Endpoint> {
  const requests: Endpoint["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(request);
      answer(request, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function transport(options: ConstructorParameters<typeof HttpTransport>[0]): HttpTransport {
  const t = new HttpTransport({ backoffMs: 10, maxBackoffMs: 40, ...options });
  transports.push(t);
  return t;
}

const until = async (condition: () => boolean, timeoutMs = 10_000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close(100)));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

describe("HttpTransport against a local HTTP server", () => {
  it("POSTs every event as JSON to /api/v1/lineage, in emit order, with the Bearer key", async () => {
    const endpoint = await startEndpoint();
    const http = transport({ url: endpoint.url, apiKey: new Secret("LINEAGE_KEY", "key-0123456789") });
    const events = ["START", "RUNNING", "COMPLETE", "FAIL", "ABORT"].map((t) =>
      sampleRunEvent(t as RunEvent["eventType"]),
    );
    for (let i = 0; i < 50; i++) http.emit(events[i % events.length] as RunEvent);
    expect(await http.flush(10_000)).toBe(true);

    expect(endpoint.requests).toHaveLength(50);
    for (const [i, request] of endpoint.requests.entries()) {
      expect(request.method).toBe("POST");
      expect(request.path).toBe("/api/v1/lineage");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers.authorization).toBe("Bearer key-0123456789");
      const received = JSON.parse(request.body) as RunEvent;
      expect(received).toEqual(JSON.parse(JSON.stringify(events[i % events.length])));
      expect(validateRunEvent(received).errors).toEqual([]);
    }
    expect(http.stats).toEqual({ sent: 50, dropped: 0, failed: 0, buffered: 0 });
  });

  it("retries a 503 with backoff, then succeeds", async () => {
    let calls = 0;
    const endpoint = await startEndpoint((_req, res) => {
      calls++;
      res.writeHead(calls <= 2 ? 503 : 200).end(calls <= 2 ? "busy" : "");
    });
    const http = transport({ url: endpoint.url, retries: 5 });
    const event = sampleRunEvent("START");
    http.emit(event);
    expect(await http.flush()).toBe(true);
    expect(endpoint.requests).toHaveLength(3);
    expect(new Set(endpoint.requests.map((r) => (JSON.parse(r.body) as RunEvent).run.runId))).toEqual(
      new Set([event.run.runId]),
    );
    expect(http.stats).toMatchObject({ sent: 1, failed: 0 });
  });

  it("retries a 429, honouring Retry-After up to the backoff cap", async () => {
    let calls = 0;
    const endpoint = await startEndpoint((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { "retry-after": "30" }).end();
      else res.writeHead(200).end();
    });
    const http = transport({ url: endpoint.url, maxBackoffMs: 50 });
    const started = Date.now();
    http.emit(sampleRunEvent("START"));
    expect(await http.flush()).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000); // capped, not 30 s
    expect(endpoint.requests).toHaveLength(2);
    expect(http.stats.sent).toBe(1);
  });

  it("does not retry a 400, counts the event as failed, warns once, and sends the next ones", async () => {
    const endpoint = await startEndpoint((req, res) => {
      const event = JSON.parse(req.body) as RunEvent;
      if (event.eventType === "OTHER") res.writeHead(400).end('{"error":"bad facet"}');
      else res.writeHead(200).end();
    });
    const logged: LogEvent[] = [];
    const http = transport({ url: endpoint.url, retries: 5, logger: { log: (e) => logged.push(e) } });
    http.emit(sampleRunEvent("OTHER"));
    http.emit(sampleRunEvent("OTHER"));
    http.emit(sampleRunEvent("COMPLETE"));
    expect(await http.flush()).toBe(true);
    expect(endpoint.requests.map((r) => (JSON.parse(r.body) as RunEvent).eventType)).toEqual([
      "OTHER",
      "OTHER",
      "COMPLETE",
    ]);
    expect(http.stats).toMatchObject({ sent: 1, failed: 2, dropped: 0 });
    const warnings = logged.filter((e) => e.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/HTTP 400: \{"error":"bad facet"\} \(not retried/);
  });

  it("keeps at most maxBuffer events while the server is down, drops the oldest and counts them, and delivers the rest when it is back", async () => {
    // A port nobody listens on (yet): every request is refused.
    const probe = await startEndpoint();
    const { port } = probe;
    await probe.close();
    const logged: LogEvent[] = [];
    const http = transport({
      url: `http://127.0.0.1:${port}`,
      maxBuffer: 10,
      retries: 10_000,
      logger: { log: (e) => logged.push(e) },
    });
    const events = Array.from({ length: 100 }, () => sampleRunEvent("RUNNING"));
    for (const event of events) http.emit(event);

    // One event is in flight (out of the buffer), ten wait, the 89 oldest others were pushed out.
    expect(http.stats).toMatchObject({ sent: 0, buffered: 10, dropped: 89 });
    expect(http.dropped).toBe(89);
    expect(await http.flush(200)).toBe(false);
    const dropWarnings = logged.filter((e) => /dropping OpenLineage events/.test(e.message));
    expect(dropWarnings).toHaveLength(1);
    expect(dropWarnings[0]?.message).toMatch(/buffer of 10 events is full/);

    const back = await startEndpoint(undefined, port);
    expect(await http.flush(10_000)).toBe(true);
    const delivered = back.requests.map((r) => (JSON.parse(r.body) as RunEvent).run.runId);
    expect(delivered).toEqual([events[0], ...events.slice(90)].map((e) => e?.run.runId));
    expect(http.stats).toEqual({ sent: 11, dropped: 89, failed: 0, buffered: 0 });
  });

  it("close() returns within its timeout while the server is down, counting what it leaves", async () => {
    const probe = await startEndpoint();
    await probe.close();
    const logged: LogEvent[] = [];
    const http = transport({ url: probe.url, retries: 10_000, logger: { log: (e) => logged.push(e) } });
    for (let i = 0; i < 5; i++) http.emit(sampleRunEvent("RUNNING"));
    const started = Date.now();
    expect(await http.close(300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(http.stats).toMatchObject({ sent: 0, buffered: 0, failed: 5 });
    expect(logged.some((e) => /were not delivered/.test(e.message))).toBe(true);
    // Emitting after close drops the event, counted, without throwing.
    expect(() => http.emit(sampleRunEvent("COMPLETE"))).not.toThrow();
    expect(http.stats.dropped).toBe(1);
  });

  it("gives up on a server that never answers: each request times out, and close() is still bounded", async () => {
    const endpoint = await startEndpoint(() => {
      // never answers
    });
    const http = transport({ url: endpoint.url, timeoutMs: 100, retries: 10_000 });
    http.emit(sampleRunEvent("START"));
    await until(() => endpoint.requests.length >= 2); // the first request timed out and was retried
    const started = Date.now();
    expect(await http.close(300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(http.stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it("never throws from emit, even for an event that cannot be serialised", () => {
    const http = transport({ url: "http://127.0.0.1:9" });
    const broken = { ...sampleRunEvent("START"), extra: 10n } as unknown as RunEvent;
    expect(() => http.emit(broken)).not.toThrow();
    expect(http.stats.failed).toBe(1);
  });
});

describe("endpointUrl", () => {
  it("joins a base URL with the endpoint as the official clients do, and keeps a URL that has a path", () => {
    expect(endpointUrl("http://marquez:5000")).toBe("http://marquez:5000/api/v1/lineage");
    expect(endpointUrl("http://marquez:5000/", "/api/v1/lineage")).toBe("http://marquez:5000/api/v1/lineage");
    expect(endpointUrl("https://x.example.com/lineage/api/v1/lineage")).toBe(
      "https://x.example.com/lineage/api/v1/lineage",
    );
    expect(endpointUrl("https://x.example.com/base", "events")).toBe("https://x.example.com/base/events");
  });
});
