import { Hono } from "hono";
import { z } from "zod";
import { WeirError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { AuthEnv } from "./auth-env.js";
import { authErrorResponse } from "./auth-error.js";
import { actorOf } from "./principal.js";
import { requireRole } from "./require-role.js";
import { ROLES } from "./role.js";
import type { TokenStore } from "./token-store.js";

export interface TokenRoutesOptions {
  tokens: TokenStore;
  /** The metadata store (kept for symmetry with the other route groups; the token store audits). */
  store?: MetadataStore;
}

const CreateTokenBody = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  grants: z.array(z.string()).optional(),
});

/**
 * `/api/tokens`, admin only (mount after `authMiddleware`): `GET` lists every token
 * (never a secret), `POST {name, role, grants?}` → 201 `{ token, record }` (the secret,
 * shown this once), `DELETE /:id` → `{ revoked: true }`. Creating and revoking are audited
 * with the admin as the actor.
 *
 * @example
 * app.route("/api/tokens", tokenRoutes({ tokens, store }));
 */
export function tokenRoutes(options: TokenRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use("*", requireRole("admin"));
  app.get("/", async (c) => c.json({ items: await options.tokens.list() }));
  app.post("/", async (c) => {
    const parsed = CreateTokenBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return authErrorResponse(
        c,
        400,
        "CONFIG_INVALID",
        `expected a JSON body { name, role: ${ROLES.join("|")}, grants?: ["detokenize"] }: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`,
      );
    }
    const { name, role, grants = [] } = parsed.data;
    try {
      const created = await options.tokens.create(name, role, grants, actorOf(c.get("principal")));
      return c.json({ token: created.secret, record: created.record }, 201);
    } catch (error) {
      if (error instanceof WeirError && error.code === "CONFIG_INVALID") {
        return authErrorResponse(c, 400, "CONFIG_INVALID", error.message, error.details);
      }
      throw error;
    }
  });
  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    const revoked = await options.tokens.revoke(id, actorOf(c.get("principal")));
    if (revoked === undefined) {
      return authErrorResponse(c, 404, "SERVER_NOT_FOUND", `no live API token with id or name ${id}`, { id });
    }
    return c.json({ revoked: true });
  });
  return app;
}
