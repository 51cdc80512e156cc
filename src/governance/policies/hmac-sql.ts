import { createHash } from "node:crypto";
import { registerSecretValue } from "../../config/secret.js";
import type { PolicySqlFunctions } from "./policy-sql-functions.js";

/** SHA-256's block size: HMAC pads its key to this. */
const BLOCK_BYTES = 64;

/** An HMAC key's inner and outer padded blocks (K ⊕ ipad, K ⊕ opad), as lowercase hex. */
export interface HmacPads {
  inner: string;
  outer: string;
}

/**
 * HMAC-SHA256's padded key blocks (RFC 2104), computed once in JS so SQL only needs
 * SHA-256: HMAC(K, m) = H((K ⊕ opad) || H((K ⊕ ipad) || m)). A key longer than a block is
 * hashed first, as HMAC specifies. The pads are as good as the key (anyone holding them can
 * compute the HMAC), so they are registered for scrubbing under `name`: generated SQL that
 * reaches a log, an error or the metadata store shows `[redacted …]` instead.
 */
export function hmacPads(key: Buffer, name: string): HmacPads {
  const block = Buffer.alloc(BLOCK_BYTES);
  (key.length > BLOCK_BYTES ? createHash("sha256").update(key).digest() : key).copy(block);
  const inner = Buffer.from(block.map((b) => b ^ 0x36)).toString("hex");
  const outer = Buffer.from(block.map((b) => b ^ 0x5c)).toString("hex");
  registerSecretValue(`${name} (HMAC pad)`, inner);
  registerSecretValue(`${name} (HMAC pad)`, outer);
  return { inner, outer };
}

/** SQL for the lowercase hex HMAC-SHA256 of a text expression's UTF-8 bytes; NULL stays NULL. */
export function hmacHexSql(fn: PolicySqlFunctions, pads: HmacPads, text: string): string {
  const inner = fn.sha256Bytes(`${fn.bytes(pads.inner)} || ${fn.utf8(text)}`);
  return fn.sha256Hex(`${fn.bytes(pads.outer)} || ${inner}`);
}
