import { createHmac } from "node:crypto";
import type { Secret } from "../../config/secret.js";
import { tokenKeys } from "../vault/token-key.js";
import type { HashNormalization } from "./policy-types.js";

/** The blanks `trim` strips: space, tab, line feed, carriage return. */
export const HASH_BLANKS = " \t\n\r";

/**
 * A value as the `hash` policy normalises it before hashing (the same as the SQL does):
 * see `HASH_NORMALIZATIONS`.
 */
export function normalizeForHash(value: string, normalize: HashNormalization): string {
  if (normalize === "none") return value;
  const trimmed = value.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
  return normalize === "trim" ? trimmed : trimmed.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The digest the `hash` policy writes for `value`, computed in JS: lowercase hex
 * HMAC-SHA256 keyed with `key` (`WEIR_PII_HASH_KEY`) over the normalised value's UTF-8.
 * Use it to find a person's rows by a hashed column (an erasure request, a lookup).
 *
 * @example
 * piiDigest("Ann@X.com ", secretFromEnv("WEIR_PII_HASH_KEY"), "lower-trim") // = email_hash of ann@x.com
 */
export function piiDigest(value: string, key: Secret, normalize: HashNormalization = "none"): string {
  return createHmac("sha256", Buffer.from(key.reveal(), "utf8"))
    .update(normalizeForHash(value, normalize), "utf8")
    .digest("hex");
}

/**
 * The token the `tokenize` policy writes for `value`: `tok_` + the first 32 hex of
 * HMAC-SHA256 under the id key derived from `WEIR_TOKEN_KEY` (see `token-key.ts`).
 */
export function tokenOf(value: string, tokenKey: Secret): string {
  const digest = createHmac("sha256", tokenKeys(tokenKey).idKey).update(value, "utf8").digest("hex");
  return `tok_${digest.slice(0, 32)}`;
}
