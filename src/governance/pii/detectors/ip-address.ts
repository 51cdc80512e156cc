import { isIP } from "node:net";
import type { PiiDetector } from "./pii-detector.js";

/**
 * An IPv4 or IPv6 address as Node's `isIP` parses it. Cheap shape checks go first: most
 * values have neither three dots nor a colon.
 */
export function isIpAddress(value: string): boolean {
  const n = value.length;
  if (n < 2 || n > 45) return false;
  const first = value.charCodeAt(0);
  if (first >= 48 && first <= 57 && n >= 7 && n <= 15 && value.indexOf(".") > 0) return isIP(value) === 4;
  return value.indexOf(":") >= 0 && isIP(value) === 6;
}

export const ipAddressDetector: PiiDetector = {
  class: "ip_address",
  nameHints: /(^|_)(ip|ips|ipv4|ipv6|ip_?addr(ess)?|ipaddress|remote_?addr(ess)?|client_?addr(ess)?)(_|$)/,
  kinds: ["text"],
  chance: 0,
  weak: false,
  matches: isIpAddress,
};
