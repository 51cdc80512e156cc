import { isIP } from "node:net";

/**
 * True for a host only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (also in
 * brackets, or as an IPv4-mapped `::ffff:127.x.y.z`). `0.0.0.0` and `::` listen on every
 * interface and are not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  const mapped = bare.startsWith("::ffff:") ? bare.slice("::ffff:".length) : bare;
  if (isIP(mapped) === 4) return mapped.split(".")[0] === "127";
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}
