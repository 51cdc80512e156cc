import { Hono } from "hono";
import { WeirError } from "../../core/errors.js";
import { auditActor } from "../../governance/audit/audit-actor.js";
import { AuditLog } from "../../governance/audit/audit-log.js";
import { storeDatabase } from "../../governance/audit/store-database.js";
import { TokenVault } from "../../governance/vault/token-vault.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { AuthEnv } from "./auth-env.js";
import { authErrorResponse } from "./auth-error.js";
import { actorOf, type Principal } from "./principal.js";

export interface DetokenizeRoutesOptions {
  store: MetadataStore;
  /** Passed to the token vault (default: the process's, for `WEIR_TOKEN_KEY`). */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_REASON = "weir serve: POST /api/detokenize";

/**
 * `/api/detokenize` (mount after `authMiddleware`): `POST { token, reason? }` → `{ value }`
 * (null for an unknown or erased token). Two gates, both audited as `weir detokenize`
 * audits: the principal must hold the `detokenize` grant (a refusal is appended to the
 * audit log here), and the token vault then checks `governance_grants` for the vault
 * principal and audits the request, granted or refused, before decrypting anything.
 * The vault principal of a token is `token:<name>` (its grant is written there when the
 * token is created); in local mode it is the user who started the server (`WEIR_USER`,
 * else the OS user), who needs `weir grant detokenize --to <user>` as on the command line.
 *
 * @example
 * app.route("/api/detokenize", detokenizeRoutes({ store }));
 */
export function detokenizeRoutes(options: DetokenizeRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post("/", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as
      | { token?: unknown; reason?: unknown }
      | undefined;
    if (typeof body?.token !== "string" || body.token === "") {
      return authErrorResponse(
        c,
        400,
        "CONFIG_INVALID",
        'expected a JSON body { "token": "tok_…", "reason"?: "…" }',
      );
    }
    const reason =
      typeof body.reason === "string" && body.reason.trim() !== "" ? body.reason : DEFAULT_REASON;
    const principal = c.get("principal");
    const db = storeDatabase(options.store);
    if (!principal.grants.includes("detokenize")) {
      await new AuditLog(db).append({
        actor: actorOf(principal),
        action: "detokenize",
        rows: 1,
        reason,
        details: { granted: false, tokens: 1, via: "api" },
      });
      return refused(c, principal);
    }
    try {
      const vault = new TokenVault(db, options.env ? { env: options.env } : {});
      const [value] = await vault.detokenize([body.token], { principal: vaultPrincipal(principal), reason });
      return c.json({ value: value ?? null });
    } catch (error) {
      if (error instanceof WeirError && error.code === "DETOKENIZE_NOT_GRANTED") return refused(c, principal);
      throw error;
    }
  });
  return app;
}

/** Who the vault checks grants for and names in its audit entry. */
function vaultPrincipal(principal: Principal): string {
  return principal.local ? auditActor() : actorOf(principal);
}

function refused(c: Parameters<typeof authErrorResponse>[0], principal: Principal): Response {
  return authErrorResponse(
    c,
    403,
    "DETOKENIZE_NOT_GRANTED",
    `${vaultPrincipal(principal)} may not detokenize: no detokenize grant (weir grant detokenize --to ${vaultPrincipal(principal)}); the refusal is in the audit log`,
  );
}
