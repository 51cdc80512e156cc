import { Hono } from "hono";
import type { AuthEnv } from "../auth/auth-env.js";
import type { Guards } from "../guards.js";
import { decodeCursor, pageOf, pageSize } from "../pagination.js";
import type { ServerContext } from "../server-context.js";

/** Points of a history: the metric's newest values, oldest first. */
const HISTORY_POINTS = 100;

/** `/api/quality`: stored checks (paginated, newest first) and a dataset's metric history. */
export function qualityRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get("/checks", guards.viewer, async (c) => {
    const limit = pageSize(c.req.query("limit"));
    const after = decodeCursor(c.req.query("cursor"));
    const dataset = c.req.query("dataset") || undefined;
    const rows = await ctx.store.quality.checks({
      ...(dataset ? { dataset } : {}),
      ...(after ? { before: { checkedAt: after.at, id: after.id } } : {}),
      limit: limit + 1,
    });
    return c.json(pageOf(rows, limit, (r) => ({ at: r.checkedAt, id: r.id })));
  });

  // `score` is the share of passed checks of each suite run; any other name is a stored metric.
  app.get("/datasets/:dataset{.+}/history", guards.viewer, async (c) => {
    const dataset = c.req.param("dataset");
    const metric = c.req.query("metric") || "score";
    if (metric === "score") {
      const checks = await ctx.store.quality.checks({ dataset, limit: HISTORY_POINTS });
      return c.json({ points: checks.reverse().map((k) => ({ at: k.checkedAt, value: k.score.checks })) });
    }
    const points = await ctx.store.quality.metricHistory(dataset, metric, { limit: HISTORY_POINTS });
    return c.json({ points: points.map((p) => ({ at: p.measuredAt, value: p.value })) });
  });

  return app;
}
