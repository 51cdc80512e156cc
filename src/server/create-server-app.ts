import { resolve } from "node:path";
import { Hono } from "hono";
import { answerError } from "./api-error.js";
import {
  type AuthEnv,
  authMiddleware,
  detokenizeRoutes,
  requireRole,
  SqlTokenStore,
  sessionRoutes,
  tokenRoutes,
} from "./auth/index.js";
import type { Guards } from "./guards.js";
import { openApiDocument } from "./openapi/openapi-document.js";
import { datasetRoutes } from "./routes/dataset-routes.js";
import { eventRoutes } from "./routes/event-routes.js";
import { healthRoutes } from "./routes/health-routes.js";
import { lineageRoutes } from "./routes/lineage-routes.js";
import { pipelineRoutes } from "./routes/pipeline-routes.js";
import { qualityRoutes } from "./routes/quality-routes.js";
import { runRoutes } from "./routes/run-routes.js";
import { mountStaticUi } from "./routes/static-ui.js";
import { streamRoutes } from "./routes/stream-routes.js";
import { serverContext } from "./server-context.js";
import type { ServerAppOptions } from "./server-options.js";

/** Where the UI build lands, relative to this file (src/server or dist/server). */
export const DEFAULT_UI_DIR = resolve(import.meta.dirname, "../../ui/dist");

/**
 * The `weir serve` app: the JSON API over the metadata store (every group behind
 * `authMiddleware` except health and the OpenAPI document), `/metrics`, and the built UI.
 * Reads need the viewer role, actions operator, tokens admin; every action is audited.
 * Listening is `startServer`'s; tests call `app.request()`.
 *
 * @example
 * const app = createServerApp({ store, pipelines, listenHost: "127.0.0.1" });
 * const res = await app.request("/api/runs?limit=10");
 */
export function createServerApp(options: ServerAppOptions): Hono<AuthEnv> {
  const ctx = serverContext(options);
  const listenHost = options.listenHost ?? "127.0.0.1";
  const tokens = new SqlTokenStore(options.store, { clock: ctx.clock });
  const guards: Guards = {
    viewer: requireRole("viewer"),
    operator: requireRole("operator"),
    admin: requireRole("admin"),
  };
  const app = new Hono<AuthEnv>();
  app.onError(answerError);

  app.route("/api/health", healthRoutes(ctx));
  const document = openApiDocument(options.version ?? "unknown");
  app.get("/api/openapi.json", (c) => c.json(document));
  // Signing in authenticates itself; everything after this line needs a principal.
  app.route("/api/session", sessionRoutes({ tokens, listenHost }));
  const auth = authMiddleware({ tokens, listenHost });
  app.use("/api/*", auth);
  app.route("/api/tokens", tokenRoutes({ tokens, store: options.store }));
  app.route("/api/detokenize", detokenizeRoutes({ store: options.store }));
  app.route("/api/pipelines", pipelineRoutes(ctx, guards));
  app.route("/api/runs", runRoutes(ctx, guards));
  app.route("/api/quality", qualityRoutes(ctx, guards));
  app.route("/api/datasets", datasetRoutes(ctx, guards));
  app.route("/api/lineage", lineageRoutes(ctx, guards));
  app.route("/api/streams", streamRoutes(ctx, guards));
  app.route("/api/events", eventRoutes(ctx, guards));

  const metrics = options.metrics;
  app.get("/metrics", auth, guards.viewer, async (c) => {
    if (!metrics) return c.text("metrics are not configured on this server", 503);
    const { contentType, body } = await metrics();
    return c.body(body, 200, { "content-type": contentType });
  });

  mountStaticUi(app, options.uiDir ?? DEFAULT_UI_DIR);
  return app;
}
