import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts a value for `token_vault.value_cipher`: AES-256-GCM with a random 96-bit IV per
 * value, stored as base64 of iv | tag | ciphertext. The token is bound in as associated
 * data, so a cipher text copied onto another token's row does not decrypt there.
 */
export function encryptValue(key: Buffer, token: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(token, "utf8"));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/** Decrypts what {@link encryptValue} wrote; a wrong key or an altered row is a ConfigError naming the token. */
export function decryptValue(key: Buffer, token: string, stored: string): string {
  const bytes = Buffer.from(stored, "base64");
  if (bytes.length < IV_BYTES + TAG_BYTES) throw undecryptable(token, "the stored value is too short");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(token, "utf8"));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const body = decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES));
    return Buffer.concat([body, decipher.final()]).toString("utf8");
  } catch (cause) {
    throw undecryptable(token, "the key is not the one it was encrypted with, or the row was altered", cause);
  }
}

function undecryptable(token: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError(`token ${token} cannot be decrypted: ${why} (is WEIR_TOKEN_KEY the same?)`, {
    details: { token },
    ...(cause === undefined ? {} : { cause }),
  });
}
