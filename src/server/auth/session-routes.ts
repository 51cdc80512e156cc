import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AuthEnv } from "./auth-env.js";
import { authErrorResponse } from "./auth-error.js";
import { authMiddleware, principalOf } from "./auth-middleware.js";
import { fromSameOrigin } from "./same-origin.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "./session-cookies.js";
import type { TokenStore } from "./token-store.js";

export interface SessionRoutesOptions {
  tokens: TokenStore;
  /** The address the server listens on (local mode, as in `authMiddleware`). */
  listenHost: string;
}

/**
 * `/api/session`, for the browser UI. Mount it BEFORE `authMiddleware` (it authenticates
 * itself: signing in cannot need a session):
 *
 * - `POST {token}` checks the token and sets `weir_session=<token>` (HttpOnly,
 *   SameSite=Strict, Path=/, Secure over https) and a readable `weir_csrf` cookie, and
 *   returns `{ principal, csrfToken }`. A sign-in posted from another origin is refused.
 * - `GET` → `{ principal }` (the local principal in local mode; 401 without a session).
 * - `DELETE` clears both cookies.
 *
 * @example
 * app.route("/api/session", sessionRoutes({ tokens, listenHost }));
 * app.use("/api/*", authMiddleware({ tokens, listenHost }));
 */
export function sessionRoutes(options: SessionRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/", async (c) => {
    if (!fromSameOrigin(c)) {
      const origin = c.req.header("Origin");
      return authErrorResponse(c, 403, "SERVER_CSRF", `sign-in refused: Origin ${origin} is not this server`);
    }
    const body = (await c.req.json().catch(() => undefined)) as { token?: unknown } | undefined;
    const secret = typeof body?.token === "string" ? body.token.trim() : "";
    const record = secret === "" ? undefined : await options.tokens.verify(secret);
    if (record === undefined) {
      return authErrorResponse(c, 401, "SERVER_UNAUTHORIZED", "the API token is unknown or revoked");
    }
    const secure = isHttps(c);
    const csrfToken = randomBytes(32).toString("base64url");
    setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: "Strict", path: "/", secure });
    // Readable by the UI's script on purpose: it sends the value back in X-CSRF-Token,
    // which a page on another origin cannot read, so cannot forge.
    setCookie(c, CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: "Strict", path: "/", secure });
    return c.json({ principal: principalOf(record), csrfToken });
  });
  app.get("/", authMiddleware(options), (c) => c.json({ principal: c.get("principal") }));
  app.delete("/", (c) => {
    const secure = isHttps(c);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure });
    deleteCookie(c, CSRF_COOKIE, { path: "/", secure });
    return c.json({ signedOut: true });
  });
  return app;
}

/** https directly, or behind a proxy that says so (which only makes the cookies stricter). */
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("X-Forwarded-Proto") === "https";
}
