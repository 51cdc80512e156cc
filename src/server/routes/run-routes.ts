import { Hono } from "hono";
import { WeirError } from "../../core/errors.js";
import type { RunState } from "../../metadata/metadata-store.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, isRunLive } from "../../orchestrator/executor/heartbeat-timing.js";
import { clearTasks } from "../../orchestrator/executor/resume-run.js";
import { badRequest, notFound } from "../api-error.js";
import { auditRequest } from "../audit-request.js";
import type { AuthEnv } from "../auth/auth-env.js";
import type { Guards } from "../guards.js";
import { decodeCursor, pageOf, pageSize } from "../pagination.js";
import { readJsonBody } from "../read-json-body.js";
import { runDetail } from "../run-detail.js";
import { runSummaryOf } from "../run-summary.js";
import type { ServerContext } from "../server-context.js";

const RUN_STATES: readonly RunState[] = ["queued", "running", "succeeded", "failed"];

/** `/api/runs`: the paginated list (newest first), one run, an attempt's logs, retry. */
export function runRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/", guards.viewer, async (c) => {
    const limit = pageSize(c.req.query("limit"));
    const after = decodeCursor(c.req.query("cursor"));
    const pipeline = c.req.query("pipeline") || undefined;
    const state = c.req.query("state") || undefined;
    if (state !== undefined && !(RUN_STATES as readonly string[]).includes(state)) {
      throw badRequest(`invalid state "${state}": expected one of ${RUN_STATES.join(", ")}`, { state });
    }
    const rows = await ctx.store.runs.list({
      ...(pipeline ? { pipeline } : {}),
      ...(state ? { states: [state as RunState] } : {}),
      ...(after ? { before: { startedAt: after.at, id: after.id } } : {}),
      limit: limit + 1,
    });
    const page = pageOf(rows, limit, (r) => ({ at: r.startedAt, id: r.id }));
    return c.json({ items: page.items.map(runSummaryOf), nextCursor: page.nextCursor });
  });

  app.get("/:id", guards.viewer, async (c) => {
    const run = await ctx.store.runs.get(c.req.param("id"));
    if (!run) throw notFound(`run ${c.req.param("id")}`, { runId: c.req.param("id") });
    return c.json(await runDetail(ctx, run));
  });

  app.get("/:id/tasks/:taskId/attempts/:attempt/logs", guards.viewer, async (c) => {
    const runId = c.req.param("id");
    const taskId = c.req.param("taskId");
    const attempt = wholeNumber(c.req.param("attempt"), "attempt", 1);
    const mapIndex = wholeNumber(c.req.query("mapIndex") ?? "-1", "mapIndex", -1);
    if (!(await ctx.store.runs.get(runId))) throw notFound(`run ${runId}`, { runId });
    const attempts = await ctx.store.tasks.attempts(runId, taskId);
    if (!attempts.some((a) => a.attempt === attempt && a.mapIndex === mapIndex)) {
      throw notFound(`attempt ${attempt} of task ${taskId}[${mapIndex}] in run ${runId}`, {
        runId,
        taskId,
        mapIndex,
        attempt,
      });
    }
    const lines = await ctx.store.tasks.logs(runId, { taskId, mapIndex, attempt });
    return c.json({ lines: lines.map((l) => ({ at: l.at, level: l.level, message: l.message })) });
  });

  app.post("/:id/retry", guards.operator, async (c) => {
    const runId = c.req.param("id");
    const body = await readJsonBody(c);
    const tasks = body.tasks;
    if (tasks !== undefined && !(Array.isArray(tasks) && tasks.every((t) => typeof t === "string"))) {
      throw badRequest("tasks must be a list of task ids");
    }
    const run = await ctx.store.runs.get(runId);
    if (!run) throw notFound(`run ${runId}`, { runId });
    const { pipeline } = ctx.requirePipeline(run.pipeline);
    if (run.state === "running" && isRunLive(run, ctx.clock.now(), DEFAULT_HEARTBEAT_TIMEOUT_MS)) {
      throw new WeirError(
        "RUN_CONFLICT",
        `run ${runId} is being executed by ${run.owner} (heartbeat ${run.heartbeatAt}); retry it when it has finished`,
        { details: { runId } },
      );
    }
    let cleared: string[] = [];
    // A queued run, or one left running by a dead process, is continued by the scheduler as it is.
    if (run.state === "succeeded" || run.state === "failed") {
      // Checked before clearing: clearing nothing would still queue the run again.
      const failed = (await ctx.store.tasks.list(runId)).some(
        (t) => t.mapIndex === -1 && t.state !== "success",
      );
      if (tasks?.length || failed) {
        cleared = await clearTasks(
          ctx.store,
          pipeline,
          runId,
          tasks?.length ? { tasks: tasks as string[] } : {},
        );
      }
      if (cleared.length === 0) {
        throw new WeirError(
          "RUN_CONFLICT",
          `nothing to retry: every task of run ${runId} succeeded (name tasks to run again)`,
          { details: { runId } },
        );
      }
    }
    await auditRequest(ctx, c, "run.retry", { pipeline: pipeline.id, runId, tasks: cleared });
    const queued = (await ctx.store.runs.get(runId)) ?? run;
    return c.json({ run: runSummaryOf(queued) }, 202);
  });

  return app;
}

function wholeNumber(text: string, field: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw badRequest(`invalid ${field} ${JSON.stringify(text)}`, { [field]: text });
  return n;
}
