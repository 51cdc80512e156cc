import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore, NewRun } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { createServerApp } from "./create-server-app.js";
import { RunEventHub } from "./events/run-event-hub.js";
import { readSseUntil } from "./testing/read-sse.js";
import { entriesOf, minute, newRun, ordersPipeline } from "./testing/seed-server-store.js";

const RUNS = 1_200;
let dir: string;
let store: MetadataStore;
let other: MetadataStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-server-runs-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  // Three runs share each start time, so the cursor's id tie-break is exercised.
  for (let i = 0; i < RUNS; i++) {
    await store.runs.create(
      newRun(
        `run_${String(i).padStart(5, "0")}`,
        i,
        minute(Math.floor(i / 3)),
        i % 4 === 0 ? "billing" : "orders",
      ),
      [],
    );
  }
  // Another process's connection to the same file.
  other = await openMetadataStore(join(dir, "weir.db"));
});

afterAll(async () => {
  await other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pages(app: ReturnType<typeof createServerApp>, query: string, limit: number) {
  const ids: string[] = [];
  const starts: string[] = [];
  let cursor: string | null = null;
  let count = 0;
  do {
    const res = await app.request(`/api/runs?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: { id: string; startedAt: string }[];
      nextCursor: string | null;
    };
    ids.push(...body.items.map((r) => r.id));
    starts.push(...body.items.map((r) => r.startedAt));
    cursor = body.nextCursor;
    count++;
  } while (cursor && count < 1_000);
  return { ids, starts, pages: count };
}

describe("GET /api/runs pagination", () => {
  it("pages 1,200 runs newest first with neither duplicates nor gaps", async () => {
    const app = createServerApp({ store, pipelines: entriesOf(ordersPipeline()) });
    const { ids, starts, pages: n } = await pages(app, "", 97);
    expect(n).toBe(Math.ceil(RUNS / 97));
    expect(new Set(ids).size).toBe(RUNS);
    const expected = Array.from({ length: RUNS }, (_, i) => `run_${String(i).padStart(5, "0")}`).reverse();
    expect(ids).toEqual(expected);
    expect([...starts].sort().reverse()).toEqual(starts);
  });

  it("pages one pipeline's runs the same way", async () => {
    const app = createServerApp({ store });
    const { ids } = await pages(app, "&pipeline=billing", 50);
    expect(ids).toHaveLength(RUNS / 4);
    expect(ids.every((id) => Number(id.slice(4)) % 4 === 0)).toBe(true);
    expect(ids[0]).toBe(`run_${String(RUNS - 4).padStart(5, "0")}`);
  });
});

describe("GET /api/events", () => {
  it("delivers a run event when another connection (another process) queues and finishes a run", async () => {
    const app = createServerApp({ store, pollMs: 30 });
    const res = await app.request("/api/events");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const changed = (async () => {
      await new Promise((r) => setTimeout(r, 150));
      await other.runs.create(
        {
          ...newRun("run_sse", 9_000, "2030-01-01T00:00:00.000Z"),
          state: "queued",
          endedAt: undefined,
        } as NewRun,
        [{ taskId: "extract", mapIndex: -1, retries: 0 }],
      );
      await new Promise((r) => setTimeout(r, 150));
      await other.runs.finish("run_sse", { state: "succeeded", endedAt: "2030-01-01T00:01:00.000Z" });
    })();
    const events = await readSseUntil(
      res,
      (e) => e.event === "run" && e.data.id === "run_sse" && e.data.state === "succeeded",
    );
    await changed;
    const states = events
      .filter((e) => e.event === "run" && e.data.id === "run_sse")
      .map((e) => e.data.state);
    expect(states).toEqual(["queued", "succeeded"]);
    // Runs that existed before the stream opened are not news.
    expect(events.filter((e) => e.event === "run" && e.data.id !== "run_sse")).toEqual([]);
  });

  it("pushes this process's run events at once, without waiting for a poll", async () => {
    const hub = new RunEventHub();
    const app = createServerApp({ store, runEvents: hub, pollMs: 60_000 });
    const res = await app.request("/api/events?runId=run_00001");
    setTimeout(() => {
      void hub.listener({
        type: "task.started",
        runId: "run_00001",
        pipeline: "orders",
        at: "2030-01-01T00:00:00.000Z",
        taskId: "extract",
        attempt: 2,
      });
      // Another run's event is filtered out by ?runId=.
      void hub.listener({
        type: "task.started",
        runId: "run_00002",
        pipeline: "orders",
        at: "2030-01-01T00:00:00.000Z",
        taskId: "extract",
        attempt: 1,
      });
    }, 100);
    const started = Date.now();
    const events = await readSseUntil(res, (e) => e.event === "task", 3_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(events.at(-1)?.data).toEqual({
      runId: "run_00001",
      taskId: "extract",
      mapIndex: -1,
      state: "running",
      tryNumber: 2,
    });
    // The stream was cancelled: its subscription is gone.
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.size).toBe(0);
  });

  it("ends open streams when the server closes", async () => {
    const closing = new AbortController();
    const app = createServerApp({ store, pollMs: 20, signal: closing.signal });
    const res = await app.request("/api/events");
    const reader = res.body!.getReader();
    await reader.read(); // the ready event
    closing.abort();
    let done = false;
    for (let i = 0; i < 100 && !done; i++) done = (await reader.read()).done;
    expect(done).toBe(true);
  });
});
