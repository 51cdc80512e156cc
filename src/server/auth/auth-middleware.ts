import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AuthEnv } from "./auth-env.js";
import { authErrorResponse } from "./auth-error.js";
import { isLoopbackHost } from "./is-loopback.js";
import { LOCAL_PRINCIPAL, type Principal } from "./principal.js";
import { fromSameOrigin } from "./same-origin.js";
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from "./session-cookies.js";
import { digestsEqual } from "./token-secret.js";
import type { TokenRecord, TokenStore } from "./token-store.js";

export interface AuthMiddlewareOptions {
  tokens: TokenStore;
  /** The address the server listens on: local mode only ever applies to a loopback one. */
  listenHost: string;
}

/** Methods that change nothing, so a forged cross-site request gains nothing. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Sets `c.get("principal")` or answers 401/403:
 *
 * - `Authorization: Bearer weir_…` — the token; not CSRF-checked (browsers never attach it
 *   by themselves).
 * - else the `weir_session` cookie — the same token, set by `POST /api/session`. A write
 *   (not GET/HEAD/OPTIONS) must carry `X-CSRF-Token` equal to the `weir_csrf` cookie and,
 *   when it sends an Origin, come from this server's origin (403 SERVER_CSRF otherwise).
 * - else local mode: while no live token exists and the server listens on loopback only,
 *   every request is the local admin. The count is read per request, so the first token
 *   created (by the API or `weir token create` in another process) ends local mode at once.
 *
 * A credential that does not verify is 401 even in local mode: a client that sends a
 * token expects it to be checked.
 *
 * @example
 * app.use("/api/*", authMiddleware({ tokens: new SqlTokenStore(store), listenHost: "127.0.0.1" }));
 */
export function authMiddleware(options: AuthMiddlewareOptions): MiddlewareHandler<AuthEnv> {
  const loopback = isLoopbackHost(options.listenHost);
  return async (c, next) => {
    const authorization = c.req.header("Authorization");
    const bearer = authorization === undefined ? undefined : bearerOf(authorization);
    if (bearer === "") {
      return authErrorResponse(
        c,
        401,
        "SERVER_UNAUTHORIZED",
        "the Authorization header must be `Bearer weir_…`",
      );
    }
    const cookie = bearer === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
    const secret = bearer ?? (cookie === "" ? undefined : cookie);
    if (secret === undefined) {
      if (loopback && (await options.tokens.countActive()) === 0) {
        c.set("principal", { ...LOCAL_PRINCIPAL, grants: [...LOCAL_PRINCIPAL.grants] });
        return next();
      }
      return authErrorResponse(
        c,
        401,
        "SERVER_UNAUTHORIZED",
        "this server needs an API token: send `Authorization: Bearer weir_…` or sign in (POST /api/session)",
      );
    }
    const record = await options.tokens.verify(secret);
    if (record === undefined) {
      return authErrorResponse(c, 401, "SERVER_UNAUTHORIZED", "the API token is unknown or revoked");
    }
    if (bearer === undefined && !SAFE_METHODS.has(c.req.method)) {
      const refusal = csrfRefusal(c);
      if (refusal !== undefined) return authErrorResponse(c, 403, "SERVER_CSRF", refusal);
    }
    c.set("principal", principalOf(record));
    return next();
  };
}

/** The principal a verified token stands for. */
export function principalOf(record: TokenRecord): Principal {
  return {
    tokenId: record.id,
    name: record.name,
    role: record.role,
    grants: [...record.grants],
    local: false,
  };
}

/** The token of a `Bearer` header; "" for any other form. */
function bearerOf(header: string): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? "";
}

/** Why a cookie-authenticated write is refused as a possible cross-site request, or undefined. */
function csrfRefusal(c: Context): string | undefined {
  const expected = getCookie(c, CSRF_COOKIE);
  const sent = c.req.header(CSRF_HEADER);
  if (expected === undefined || expected === "" || sent === undefined || !digestsEqual(sent, expected)) {
    return `a request signed in by cookie must send the ${CSRF_HEADER} header with the ${CSRF_COOKIE} cookie's value`;
  }
  if (!fromSameOrigin(c)) {
    return `cross-origin request refused: Origin ${c.req.header("Origin")} is not this server (Host ${c.req.header("Host")})`;
  }
  return undefined;
}
