import { WeirError } from "../../core/errors.js";
import { isLoopbackHost } from "./is-loopback.js";
import type { TokenStore } from "./token-store.js";

/**
 * Refuses to serve on a non-loopback address while no live API token exists: without a
 * token the server is in local mode, where every request is an admin, which is only safe
 * when nobody but this machine can reach it. Called before listening.
 *
 * @example
 * await assertSafeBind(options.host, tokens); // throws SERVER_UNSAFE_BIND for 0.0.0.0 without tokens
 */
export async function assertSafeBind(host: string, tokens: Pick<TokenStore, "countActive">): Promise<void> {
  if (isLoopbackHost(host)) return;
  if ((await tokens.countActive()) > 0) return;
  throw new WeirError(
    "SERVER_UNSAFE_BIND",
    `refusing to listen on ${host}: no API token exists, so anyone who reaches the server would be an admin. Create one first (weir token create --name <name> --role admin), or listen on 127.0.0.1`,
    { details: { host } },
  );
}
