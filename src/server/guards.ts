import type { MiddlewareHandler } from "hono";
import type { AuthEnv } from "./auth/auth-env.js";

/** The role checks route groups put in front of handlers (after `authMiddleware`). */
export interface Guards {
  viewer: MiddlewareHandler<AuthEnv>;
  operator: MiddlewareHandler<AuthEnv>;
  admin: MiddlewareHandler<AuthEnv>;
}
