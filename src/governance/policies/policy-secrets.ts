import type { Secret } from "../../config/secret.js";
import { secretFromEnv } from "../../config/secret.js";
import { checkKeyLength, tokenKeyFromEnv } from "../vault/token-key.js";

/**
 * The environment variable holding the `hash` policy's HMAC key (its UTF-8 bytes are the
 * key). Every table hashed with one key joins on the digests; a new key gives new digests.
 */
export const PII_HASH_KEY_VARIABLE = "WEIR_PII_HASH_KEY";

/**
 * The keys policies use. Each defaults to its environment variable, read only when a
 * policy needs it: `WEIR_PII_HASH_KEY` for `hash`, `WEIR_TOKEN_KEY` for `tokenize`.
 */
export interface PolicySecrets {
  hashKey?: Secret;
  tokenKey?: Secret;
  /** Where the defaults are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The hash key, or a ConfigError naming `WEIR_PII_HASH_KEY` and the column that needs it. */
export function hashKeyOf(secrets: PolicySecrets, neededBy: string): Secret {
  return checkKeyLength(
    secrets.hashKey ??
      secretFromEnv(PII_HASH_KEY_VARIABLE, { ...(secrets.env ? { env: secrets.env } : {}), neededBy }),
  );
}

/** The token key, or a ConfigError naming `WEIR_TOKEN_KEY` and the column that needs it. */
export function tokenKeyOf(secrets: PolicySecrets, neededBy: string): Secret {
  return checkKeyLength(
    secrets.tokenKey ?? tokenKeyFromEnv({ ...(secrets.env ? { env: secrets.env } : {}), neededBy }),
  );
}
