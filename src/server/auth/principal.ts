import type { Role } from "./role.js";

/**
 * Who a request is. Sent to the UI as JSON (`GET /api/session`), so it holds nothing
 * secret: the token's id, never its secret.
 */
export interface Principal {
  /** The API token's id; null in local mode. */
  tokenId: string | null;
  /** The token's name, or `local`. */
  name: string;
  role: Role;
  /** Grants beyond the role, e.g. `detokenize`. */
  grants: string[];
  /** True in local mode: no token exists and the server listens on loopback only. */
  local: boolean;
}

/** Every request in local mode: whoever can reach a loopback-only server already holds the machine. */
export const LOCAL_PRINCIPAL: Readonly<Principal> = Object.freeze({
  tokenId: null,
  name: "local",
  role: "admin",
  grants: ["detokenize"],
  local: true,
});

/**
 * The audit log's actor for a principal: `token:<name>` for a token (so a token named like
 * a person is never mistaken for one), `local` in local mode.
 */
export function actorOf(principal: Principal): string {
  return principal.local ? "local" : `token:${principal.name}`;
}
