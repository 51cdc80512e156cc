import { Hono } from "hono";
import type { ServerContext } from "../server-context.js";

/** `GET /api/health` (no auth): the server is up and which metadata store it reads. */
export function healthRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/", async (c) =>
    c.json({
      ok: true,
      version: ctx.options.version ?? "unknown",
      metadata: { kind: ctx.store.kind, schemaVersion: await ctx.store.schemaVersion() },
    }),
  );
  return app;
}
