import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every API token starts with this, so secret scanners (and people) recognise one. */
export const TOKEN_PREFIX = "weir_";

/** `weir_` + 32 random bytes in base64url (43 characters): 256 bits nobody can guess. */
export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** True when `text` has a token's shape; anything else is refused before the database is asked. */
export function looksLikeTokenSecret(text: string): boolean {
  return /^weir_[A-Za-z0-9_-]{43}$/.test(text);
}

/**
 * The SHA-256 (hex) kept instead of the secret. A fast hash is the right choice here, as
 * for GitHub's and PyPI's API tokens: slow password hashes (bcrypt, scrypt) exist to make
 * guessing low-entropy passwords expensive, and a 256-bit random secret cannot be guessed
 * at any speed. A fast hash keeps every request's check cheap and lets the store look the
 * token up by its hash.
 */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares two hex digests in constant time (equal lengths; a length mismatch is simply false). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
