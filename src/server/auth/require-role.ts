import type { MiddlewareHandler } from "hono";
import type { AuthEnv } from "./auth-env.js";
import { authErrorResponse } from "./auth-error.js";
import { type Role, roleAllows } from "./role.js";

/**
 * Lets the request through when its principal's role is `role` or above; 403
 * SERVER_FORBIDDEN otherwise. Runs after `authMiddleware`.
 *
 * @example
 * app.post("/api/pipelines/:id/runs", requireRole("operator"), triggerRun);
 */
export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!roleAllows(principal.role, role)) {
      return authErrorResponse(
        c,
        403,
        "SERVER_FORBIDDEN",
        `this needs the ${role} role; the token ${principal.name} has ${principal.role}`,
        { needed: role, held: principal.role },
      );
    }
    return next();
  };
}

/**
 * Lets the request through when its principal holds `grant` (beyond any role: an admin
 * without `detokenize` cannot detokenize); 403 SERVER_FORBIDDEN otherwise.
 */
export function requireGrant(grant: "detokenize"): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal.grants.includes(grant)) {
      return authErrorResponse(
        c,
        403,
        "SERVER_FORBIDDEN",
        `this needs the ${grant} grant, which the token ${principal.name} does not hold (weir token create … --grant ${grant})`,
        { grant },
      );
    }
    return next();
  };
}
