import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { messageOf } from "../../core/errors.js";
import type { RunEvent } from "../../orchestrator/run-events.js";
import type { AuthEnv } from "../auth/auth-env.js";
import { RunChangeTracker, type TaskChange } from "../events/run-change-tracker.js";
import type { Guards } from "../guards.js";
import { runSummaryOf } from "../run-summary.js";
import type { ServerContext } from "../server-context.js";

const DEFAULT_POLL_MS = 500;
const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * `GET /api/events`: Server-Sent Events `run` (a RunSummary), `task` (an instance's state)
 * and `heartbeat`. Changes come from polling the store (so runs of other processes show up)
 * and at once from this process's scheduler. `?runId=` limits them to one run. The stream
 * ends when the client goes away or the server closes.
 */
export function eventRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/", guards.viewer, (c) => {
    const runId = c.req.query("runId") || undefined;
    const pollMs = ctx.options.pollMs ?? DEFAULT_POLL_MS;
    const heartbeatMs = ctx.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    return streamSSE(c, async (stream) => {
      const done = new AbortController();
      const stop = () => done.abort();
      stream.onAbort(stop);
      ctx.options.signal?.addEventListener("abort", stop, { once: true });
      const tracker = new RunChangeTracker(ctx.store, runId);
      // Writes go one at a time, in order, whoever (poller, event, heartbeat) asks.
      let writing: Promise<void> = Promise.resolve();
      const send = (event: string, data: unknown) => {
        writing = writing.then(() => stream.writeSSE({ event, data: JSON.stringify(data) })).catch(stop);
        return writing;
      };
      const unsubscribe = ctx.options.runEvents?.subscribe((event) => {
        if (runId && event.runId !== runId) return;
        void pushRunEvent(ctx, tracker, event, send).catch(() => undefined);
      });
      try {
        await tracker.prime(ctx.clock.now().getTime());
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ pollMs }) });
        let lastBeat = Date.now();
        while (!done.signal.aborted) {
          await sleep(pollMs, done.signal);
          if (done.signal.aborted) break;
          try {
            const changes = await tracker.poll(ctx.clock.now().getTime());
            for (const run of changes.runs) await send("run", run);
            for (const task of changes.tasks) await send("task", task);
          } catch (error) {
            // The store may be briefly away (a PostgreSQL restart): keep the stream, say so.
            await send("error", { message: messageOf(error) });
          }
          if (Date.now() - lastBeat >= heartbeatMs) {
            lastBeat = Date.now();
            await send("heartbeat", { at: new Date().toISOString() });
          }
        }
      } finally {
        unsubscribe?.();
        ctx.options.signal?.removeEventListener("abort", stop);
        await writing.catch(() => undefined);
      }
    });
  });
  return app;
}

/** An in-process run event pushed at once: the run as stored now, and the task's new state. */
async function pushRunEvent(
  ctx: ServerContext,
  tracker: RunChangeTracker,
  event: RunEvent,
  send: (event: string, data: unknown) => Promise<void>,
): Promise<void> {
  const task = taskChangeOf(event);
  if (task && tracker.noteTask(task)) await send("task", task);
  if (event.type === "run.started" || event.type === "run.finished" || event.type === "run.interrupted") {
    const run = await ctx.store.runs.get(event.runId);
    if (run && tracker.noteRun(run)) await send("run", runSummaryOf(run));
  }
}

function taskChangeOf(event: RunEvent): TaskChange | undefined {
  const base = (state: string, tryNumber: number) =>
    "taskId" in event
      ? { runId: event.runId, taskId: event.taskId, mapIndex: event.mapIndex ?? -1, state, tryNumber }
      : undefined;
  switch (event.type) {
    case "task.started":
      return base("running", event.attempt);
    case "task.succeeded":
      return base("success", event.attempt);
    case "task.failed":
      return base("failed", event.attempt);
    case "task.retrying":
      return base("up_for_retry", event.attempt);
    default:
      return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
