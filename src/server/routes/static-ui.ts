import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import type { AuthEnv } from "../auth/auth-env.js";

export const UI_NOT_BUILT = "the web UI is not built: npm run build:ui";

/**
 * The built UI (`ui/dist`): its files as they are, and `index.html` for every other
 * non-API path (the SPA's router owns them). Without a build, `/` and those paths answer
 * 503 saying how to build it. Registered last, after every `/api` route.
 */
export function mountStaticUi(app: Hono<AuthEnv>, uiDir: string): void {
  app.all("/api/*", (c) =>
    c.json(
      { error: { code: "SERVER_NOT_FOUND", message: `no API route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );
  const index = join(uiDir, "index.html");
  // serveStatic resolves `root` against the working directory.
  app.use("/*", async (c, next) => {
    if (!existsSync(index)) return next();
    return serveStatic({ root: relative(process.cwd(), uiDir) || "." })(c, next);
  });
  app.get("/*", async (c) => {
    if (!existsSync(index)) return c.text(UI_NOT_BUILT, 503);
    return c.html(await readFile(index, "utf8"));
  });
}
