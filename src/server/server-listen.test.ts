import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { AuditLog } from "../governance/audit/audit-log.js";
import { Lake } from "../lake/lake.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { sqlDatabaseOf } from "../metadata/sql-database-of.js";
import { definePipeline, defineTask } from "../orchestrator/define-pipeline.js";
import { Scheduler } from "../orchestrator/scheduler/scheduler.js";
import { SqlTokenStore } from "./auth/index.js";
import { RunEventHub } from "./events/run-event-hub.js";
import { type RunningServer, startServer } from "./start-server.js";
import { readSseUntil } from "./testing/read-sse.js";
import { entriesOf } from "./testing/seed-server-store.js";

let dir: string;
let store: MetadataStore;
let engine: DuckDBEngine;
let server: RunningServer;
let scheduler: Scheduler;
const stopScheduler = new AbortController();
let schedulerDone: Promise<void>;
const ran: string[] = [];

const pipeline = definePipeline({
  id: "hello",
  tasks: [
    defineTask({
      id: "say",
      run: async (ctx) =>
        void ran.push(`${ctx.params.who ?? "nobody"}@${ctx.logicalDate.toISOString().slice(0, 10)}`),
    }),
    defineTask({ id: "done", dependsOn: ["say"], run: async () => undefined }),
  ],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-server-listen-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  engine = await DuckDBEngine.create();
  const lake = await Lake.open({ root: join(dir, "lake"), engine });
  const hub = new RunEventHub();
  const pipelines = entriesOf(pipeline);
  server = await startServer({ store, pipelines, port: 0, runEvents: hub, pollMs: 50 });
  scheduler = new Scheduler({
    pipelines,
    store,
    runtime: { engine, lake },
    listeners: [hub.listener],
    tickMs: 50,
  });
  schedulerDone = scheduler.run(stopScheduler.signal);
});

afterAll(async () => {
  stopScheduler.abort();
  await schedulerDone;
  await server.close();
  await store.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a listening server with an embedded scheduler", () => {
  it("listens on a free port on loopback", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/api/health`);
    expect(await res.json()).toMatchObject({ ok: true, metadata: { kind: "sqlite" } });
  });

  it("executes a triggered manual run: queued → running → succeeded, seen over SSE", async () => {
    const events = fetch(`${server.url}/api/events`);
    const res = await fetch(`${server.url}/api/pipelines/hello/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ logicalDate: "2024-03-01", params: { who: "api" } }),
    });
    expect(res.status).toBe(202);
    const { run } = (await res.json()) as { run: { id: string; state: string } };
    expect(run.state).toBe("queued");
    const seen = await readSseUntil(
      await events,
      (e) => e.event === "run" && e.data.id === run.id && e.data.state === "succeeded",
      10_000,
    );
    expect(ran).toEqual(["api@2024-03-01"]);
    const taskStates = seen
      .filter((e) => e.event === "task" && e.data.runId === run.id)
      .map((e) => `${e.data.taskId}:${e.data.state}`);
    expect(taskStates).toContain("say:success");
    expect(taskStates).toContain("done:success");
    const detail = (await (await fetch(`${server.url}/api/runs/${run.id}`)).json()) as {
      state: string;
      tasks: { state: string }[];
    };
    expect(detail.state).toBe("succeeded");
    expect(detail.tasks.map((t) => t.state)).toEqual(["success", "success"]);
  });

  it("once a token exists: 401 without it, 403 for a viewer's action, 202 for an operator's, audited by name", async () => {
    const tokens = new SqlTokenStore(store);
    const viewer = await tokens.create("grafana", "viewer", [], "test");
    const operator = await tokens.create("ops-bot", "operator", [], "test");
    const call = (path: string, secret?: string, method = "GET", body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(secret ? { authorization: `Bearer ${secret}` } : {}),
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    expect((await call("/api/runs")).status).toBe(401);
    expect((await call("/api/health")).status).toBe(200);
    expect((await call("/api/openapi.json")).status).toBe(200);
    expect((await call("/api/runs", viewer.secret)).status).toBe(200);
    const refused = await call("/api/pipelines/hello/pause", viewer.secret, "POST");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("SERVER_FORBIDDEN");
    expect((await call("/api/tokens", operator.secret)).status).toBe(403);
    expect((await call("/metrics", undefined)).status).toBe(401);
    const paused = await call("/api/pipelines/hello/pause", operator.secret, "POST");
    expect(paused.status).toBe(200);
    const entries = await new AuditLog(sqlDatabaseOf(store)!).list();
    expect(entries.filter((e) => e.action === "pipeline.pause").map((e) => e.actor)).toEqual([
      "token:ops-bot",
    ]);
  });
});
