import { Hono } from "hono";
import { notFound } from "../api-error.js";
import type { AuthEnv } from "../auth/auth-env.js";
import { datasetDetail, listDatasets } from "../dataset-catalog.js";
import type { Guards } from "../guards.js";
import type { ServerContext } from "../server-context.js";

/** `/api/datasets`: lake, warehouse and source datasets the store and the lake know. */
export function datasetRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/", guards.viewer, async (c) => c.json({ items: await listDatasets(ctx) }));
  // Names may hold `/` (OpenLineage's namespace/name), so the parameter takes the rest of the path.
  app.get("/:name{.+}", guards.viewer, async (c) => {
    const name = c.req.param("name");
    const detail = await datasetDetail(ctx, name);
    if (!detail) throw notFound(`dataset "${name}"`, { dataset: name });
    return c.json(detail);
  });
  return app;
}
