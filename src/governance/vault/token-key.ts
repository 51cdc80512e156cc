import { hkdfSync } from "node:crypto";
import { registerSecretValue, type Secret, secretFromEnv } from "../../config/secret.js";
import { ConfigError } from "../../core/errors.js";

/** The environment variable holding the token key (token ids and the vault's encryption). */
export const TOKEN_KEY_VARIABLE = "WEIR_TOKEN_KEY";

/** Shorter keys are refused: a key that can be guessed makes every token reversible. */
export const MIN_KEY_LENGTH = 16;

/**
 * Reads `WEIR_TOKEN_KEY` as a `Secret` (never printed). Missing, empty or too short is a
 * ConfigError naming the variable and what needs it.
 */
export function tokenKeyFromEnv(options: { env?: NodeJS.ProcessEnv; neededBy?: string } = {}): Secret {
  return checkKeyLength(
    secretFromEnv(TOKEN_KEY_VARIABLE, { ...options, neededBy: options.neededBy ?? "the token vault" }),
  );
}

/** `secret` itself, or a ConfigError when it is shorter than {@link MIN_KEY_LENGTH} characters. */
export function checkKeyLength(secret: Secret): Secret {
  if (secret.reveal().length < MIN_KEY_LENGTH) {
    throw new ConfigError(
      `${secret.name} is too short: a key needs at least ${MIN_KEY_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
      { details: { variable: secret.name } },
    );
  }
  return secret;
}

/**
 * The two keys one token secret gives, each derived with HKDF-SHA256 under its own label,
 * so the key that names tokens (an HMAC key whose output leaves the vault) is never the
 * key that encrypts values. Both are registered for scrubbing: the id key is written into
 * generated SQL.
 */
export interface TokenKeys {
  /** HMAC-SHA256 key: token = `tok_` + the first 32 hex of HMAC(idKey, value). */
  idKey: Buffer;
  /** AES-256-GCM key for `token_vault.value_cipher`. */
  cipherKey: Buffer;
}

export function tokenKeys(secret: Secret): TokenKeys {
  const ikm = Buffer.from(checkKeyLength(secret).reveal(), "utf8");
  const derive = (label: string) => Buffer.from(hkdfSync("sha256", ikm, "weir token key", label, 32));
  const keys = { idKey: derive("token id"), cipherKey: derive("token value cipher") };
  registerSecretValue(`${secret.name} (derived)`, keys.idKey.toString("hex"));
  registerSecretValue(`${secret.name} (derived)`, keys.cipherKey.toString("hex"));
  return keys;
}
