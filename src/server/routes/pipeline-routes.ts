import { Hono } from "hono";
import { WeirError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { createRun } from "../../orchestrator/executor/create-run.js";
import { latestCompleteRun, runContaining, runOfDay } from "../../orchestrator/run-interval.js";
import { queueBackfill } from "../actions/queue-backfill.js";
import { parseApiDate } from "../api-date.js";
import { badRequest, notFound } from "../api-error.js";
import { auditRequest } from "../audit-request.js";
import type { AuthEnv } from "../auth/auth-env.js";
import type { Guards } from "../guards.js";
import { pipelineView, pipelineViews } from "../pipeline-view.js";
import { readJsonBody } from "../read-json-body.js";
import { runSummaryOf } from "../run-summary.js";
import type { ServerContext } from "../server-context.js";

const RECENT_RUNS = 25;

/** `/api/pipelines`: the list, one pipeline with its recent runs, trigger, backfill, pause. */
export function pipelineRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/", guards.viewer, async (c) => c.json({ items: await pipelineViews(ctx) }));

  app.get("/:id", guards.viewer, async (c) => {
    const id = c.req.param("id");
    const record = await ctx.store.pipelines.get(id);
    if (!record && !ctx.pipelines.has(id)) throw notFound(`pipeline "${id}"`, { pipeline: id });
    const view = await pipelineView(ctx, id, record);
    const recentRuns = (await ctx.store.runs.list({ pipeline: id, limit: RECENT_RUNS })).map(runSummaryOf);
    return c.json({ ...view, recentRuns });
  });

  app.post("/:id/runs", guards.operator, async (c) => {
    const { pipeline } = ctx.requirePipeline(c.req.param("id"));
    const body = await readJsonBody(c);
    const params = stringRecord(body.params, "params");
    const slot =
      body.logicalDate === undefined
        ? latestCompleteRun(pipeline, ctx.clock.now())
        : slotOf(pipeline, body.logicalDate);
    const { run, created } = await createRun({
      pipeline,
      store: ctx.store,
      clock: ctx.clock,
      id: newId("run_"),
      logicalDate: slot.logicalDate,
      interval: slot.interval,
      runType: "manual",
      params,
    });
    if (!created) {
      throw new WeirError(
        "RUN_CONFLICT",
        `pipeline "${pipeline.id}" already has run ${run.id} (${run.state}) for logical date ${run.logicalTime}: retry that run instead`,
        { details: { runId: run.id, state: run.state, logicalTime: run.logicalTime } },
      );
    }
    await auditRequest(ctx, c, "run.manual", {
      pipeline: pipeline.id,
      runId: run.id,
      logicalDate: run.logicalTime,
      params,
    });
    return c.json({ run: runSummaryOf(run) }, 202);
  });

  app.post("/:id/backfill", guards.operator, async (c) => {
    const { pipeline } = ctx.requirePipeline(c.req.param("id"));
    const body = await readJsonBody(c);
    const from = parseApiDate(body.start, "start").date;
    const to = parseApiDate(body.end, "end", true).date;
    const runs = await queueBackfill(ctx, pipeline, from, to);
    await auditRequest(ctx, c, "run.backfill", {
      pipeline: pipeline.id,
      start: body.start,
      end: body.end,
      runIds: runs.map((r) => r.id),
    });
    return c.json({ runs: runs.map(runSummaryOf) }, 202);
  });

  for (const paused of [true, false]) {
    app.post(`/:id/${paused ? "pause" : "unpause"}`, guards.operator, async (c) => {
      const id = c.req.param("id");
      const record = await ctx.store.pipelines.get(id);
      if (!record && !ctx.pipelines.has(id)) throw notFound(`pipeline "${id}"`, { pipeline: id });
      await ctx.store.pipelines.setPaused(id, paused, ctx.clock.now().toISOString());
      await auditRequest(ctx, c, paused ? "pipeline.pause" : "pipeline.unpause", { pipeline: id });
      return c.json({ pipeline: await pipelineView(ctx, id, await ctx.store.pipelines.get(id)) });
    });
  }

  return app;
}

/** The run a logical date names: the schedule interval (or partition) holding it. */
function slotOf(pipeline: Parameters<typeof runContaining>[0], text: unknown) {
  const { date, dateOnly } = parseApiDate(text, "logicalDate");
  if (!dateOnly) return runContaining(pipeline, date);
  return runOfDay(pipeline, {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  });
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(`${field} must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw badRequest(`${field}.${k} must be a string`, { field: `${field}.${k}` });
    }
    out[k] = String(v);
  }
  return out;
}
