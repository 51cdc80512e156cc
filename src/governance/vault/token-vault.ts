import type { Secret } from "../../config/secret.js";
import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { placeholders, type SqlDatabase, type SqlValue } from "../../metadata/sql-database.js";
import { AuditLog } from "../audit/audit-log.js";
import { GovernanceError } from "../audit/governance-error.js";
import { GovernanceGrants, type GovernancePermission } from "./governance-grants.js";
import { decryptValue, encryptValue } from "./token-cipher.js";
import { type TokenKeys, tokenKeyFromEnv, tokenKeys } from "./token-key.js";

/** A token and the value it stands for, as the `tokenize` policy computes them. */
export interface TokenPair {
  token: string;
  value: string;
  /** What kind of value (by default the policy's source column). */
  piiClass?: string;
}

export interface TokenVaultOptions {
  /** The token key; default `WEIR_TOKEN_KEY`, read the first time a value is encrypted or decrypted. */
  key?: Secret;
  env?: NodeJS.ProcessEnv;
  /** Where detokenizations, grants and tombstones are recorded (default: the log in the same database). */
  audit?: AuditLog;
  clock?: Clock;
}

export interface DetokenizeRequest {
  /** Who asks; must hold the `detokenize` grant. */
  principal: string;
  /** Why; kept in the audit log. */
  reason: string;
}

/** Tokens per statement: a few parameters each, well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

/**
 * The token vault (`token_vault`, migration 7): the value behind each token of the
 * `tokenize` policy, encrypted with AES-256-GCM (see `token-cipher.ts`) under a key derived
 * from `WEIR_TOKEN_KEY`. Recording is idempotent and safe for concurrent loads (existing
 * tokens are skipped, `ON CONFLICT DO NOTHING` settles races). Reading values back needs a
 * `detokenize` grant and every request — granted or refused — is audited before any value
 * is decrypted. Erasure tombstones a token: its cipher text is cleared for good, and a
 * later load of the same value keeps the tombstone.
 *
 * Give it the store's own database, not one behind `redactingStore`: scrubbing rewrites
 * any parameter that happens to contain a registered secret, cipher text included.
 *
 * @example
 * const vault = new TokenVault(store.database);
 * await vault.grant("alice", "detokenize", "security-team");
 * const [email] = await vault.detokenize(["tok_3f…"], { principal: "alice", reason: "ticket 4711" });
 */
export class TokenVault {
  readonly grants: GovernanceGrants;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private keys: TokenKeys | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: TokenVaultOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.audit = options.audit ?? new AuditLog(db, { clock: this.clock });
    this.grants = new GovernanceGrants(db, this.audit, this.clock);
  }

  /** Stores the pairs whose token the vault lacks; returns how many were added. */
  async record(pairs: readonly TokenPair[]): Promise<number> {
    const unique = new Map<string, TokenPair>();
    for (const pair of pairs) {
      if (typeof pair.token !== "string" || pair.token === "" || typeof pair.value !== "string") {
        throw new ConfigError("token vault: every pair needs a non-empty token and a string value");
      }
      unique.set(pair.token, pair);
    }
    let added = 0;
    for (const chunk of chunks([...unique.values()], CHUNK)) {
      const known = await this.db.all<{ token: string }>(
        `SELECT token FROM token_vault WHERE token IN (${placeholders(chunk.length)})`,
        chunk.map((p) => p.token),
      );
      const have = new Set(known.map((r) => r.token));
      const missing = chunk.filter((p) => !have.has(p.token));
      if (missing.length === 0) continue;
      const { cipherKey } = this.tokenKeys();
      const at = this.clock.now().toISOString();
      const params: SqlValue[] = missing.flatMap((p) => [
        p.token,
        p.piiClass ?? null,
        encryptValue(cipherKey, p.token, p.value),
        at,
      ]);
      const rows = missing.map(() => "(?, ?, ?, ?)").join(", ");
      added += await this.db.run(
        `INSERT INTO token_vault (token, pii_class, value_cipher, created_at) VALUES ${rows} ON CONFLICT (token) DO NOTHING`,
        params,
      );
    }
    return added;
  }

  /**
   * The values behind `tokens`, in order; null for a tombstoned (erased) or unknown token.
   * Refused with DETOKENIZE_NOT_GRANTED unless the principal holds `detokenize`. Every
   * call appends a `detokenize` entry (principal, how many tokens, reason, granted or not)
   * before anything is decrypted, in the same transaction that read the vault.
   */
  async detokenize(tokens: readonly string[], request: DetokenizeRequest): Promise<(string | null)[]> {
    const principal = request.principal?.trim() ?? "";
    const reason = request.reason?.trim() ?? "";
    if (principal === "") throw new ConfigError("detokenize needs a principal (who asks)");
    if (reason === "") throw new ConfigError("detokenize needs a reason; it is kept in the audit log");
    const outcome = await this.db.transaction(async (tx) => {
      const granted = await this.grants.has(principal, "detokenize", tx);
      const stored = new Map<string, string | null>();
      if (granted) {
        for (const chunk of chunks([...new Set(tokens)], CHUNK)) {
          const rows = await tx.all<{ token: string; value_cipher: string | null }>(
            `SELECT token, value_cipher FROM token_vault WHERE token IN (${placeholders(chunk.length)})`,
            chunk,
          );
          for (const row of rows) stored.set(row.token, row.value_cipher);
        }
      }
      const found = [...stored.values()].filter((v) => v !== null).length;
      await this.audit.appendWithin(tx, {
        actor: principal,
        action: "detokenize",
        rows: tokens.length,
        reason,
        details: granted
          ? { granted, tokens: tokens.length, found, erased: stored.size - found }
          : { granted, tokens: tokens.length },
      });
      return { granted, stored };
    });
    if (!outcome.granted) {
      throw new GovernanceError(
        "DETOKENIZE_NOT_GRANTED",
        `${principal} may not detokenize: no detokenize grant (an administrator runs \`weir grant detokenize --to ${principal}\`); the refusal is in the audit log`,
        { details: { principal, tokens: tokens.length } },
      );
    }
    const cipherKey = outcome.stored.size > 0 ? this.tokenKeys().cipherKey : undefined;
    return tokens.map((token) => {
      const cipher = outcome.stored.get(token);
      return cipher === undefined || cipher === null ? null : decryptValue(cipherKey!, token, cipher);
    });
  }

  /**
   * Erases the values behind `tokens` (clears the cipher text, sets `tombstoned_at`);
   * returns how many were erased now. With `audit`, a `token.tombstone` entry commits with it.
   */
  async tombstone(
    tokens: readonly string[],
    audit?: { reason: string; actor?: string; dataset?: string },
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      let erased = 0;
      const at = this.clock.now().toISOString();
      for (const chunk of chunks([...new Set(tokens)], CHUNK)) {
        erased += await tx.run(
          `UPDATE token_vault SET value_cipher = NULL, tombstoned_at = ?
           WHERE token IN (${placeholders(chunk.length)}) AND tombstoned_at IS NULL`,
          [at, ...chunk],
        );
      }
      if (audit) {
        await this.audit.appendWithin(tx, {
          ...(audit.actor ? { actor: audit.actor } : {}),
          action: "token.tombstone",
          rows: erased,
          reason: audit.reason,
          ...(audit.dataset ? { dataset: audit.dataset } : {}),
          details: { tokens: tokens.length, erased },
        });
      }
      return erased;
    });
  }

  /** Grants `permission` to `principal` (audited); false when already held. */
  grant(principal: string, permission: GovernancePermission, by: string): Promise<boolean> {
    return this.grants.grant(principal, permission, by);
  }

  /** Revokes `permission` from `principal` (audited); false when not held. */
  revoke(principal: string, permission: GovernancePermission, by: string): Promise<boolean> {
    return this.grants.revoke(principal, permission, by);
  }

  private tokenKeys(): TokenKeys {
    this.keys ??= tokenKeys(
      this.options.key ?? tokenKeyFromEnv({ ...(this.options.env ? { env: this.options.env } : {}) }),
    );
    return this.keys;
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
