import { createHash } from "node:crypto";
import { piiDigest } from "../policies/pii-digest.js";
import { hashKeyOf, PII_HASH_KEY_VARIABLE, type PolicySecrets } from "../policies/policy-secrets.js";

/**
 * What the erasure records say about the subject's value instead of the value: the `hash`
 * policy's keyed digest (`hmac-sha256:<hex>`, HMAC under `WEIR_PII_HASH_KEY`, the value as
 * given) when that key is set, else a plain `sha256:<hex>`. The same value always gives the
 * same digest, so requests about one subject can be found together; the prefix says which.
 *
 * @example
 * subjectDigest("ann@example.com") // "hmac-sha256:3f0c…" with WEIR_PII_HASH_KEY set
 */
export function subjectDigest(value: string, secrets: PolicySecrets = {}): string {
  const env = secrets.env ?? process.env;
  if (secrets.hashKey !== undefined || (env[PII_HASH_KEY_VARIABLE] ?? "") !== "") {
    return `hmac-sha256:${piiDigest(value, hashKeyOf(secrets, "the erasure record"))}`;
  }
  return `sha256:${createHash("sha256").update(value, "utf8").digest("hex")}`;
}
