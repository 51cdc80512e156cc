import type { Context } from "hono";

/**
 * False when the request names an Origin other than this server: its host (with port)
 * must equal the Host header. The host only, not the scheme: behind a TLS-terminating
 * proxy the browser's https origin reaches this server as plain http, with the same Host.
 * No Origin header (curl, old browsers on same-origin GETs) is not evidence of anything.
 */
export function fromSameOrigin(c: Context): boolean {
  const origin = c.req.header("Origin");
  if (origin === undefined) return true;
  const host = (c.req.header("Host") ?? new URL(c.req.url).host).toLowerCase();
  try {
    return new URL(origin).host.toLowerCase() === host;
  } catch {
    return false; // `null` (a sandboxed or file: page) or garbage
  }
}
