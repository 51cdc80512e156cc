import { v7 as uuidv7 } from "uuid";
import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { AuditLog } from "../../governance/audit/audit-log.js";
import { storeDatabase } from "../../governance/audit/store-database.js";
import { parsePermission } from "../../governance/vault/governance-grants.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { SqlConnection, SqlDatabase } from "../../metadata/sql-database.js";
import { toNumber } from "../../metadata/sql-database.js";
import { parseRole, type Role } from "./role.js";
import { digestsEqual, hashTokenSecret, looksLikeTokenSecret, newTokenSecret } from "./token-secret.js";

/** An API token as listed: everything but its secret (which is never stored). */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  grants: string[];
  createdAt: string;
  createdBy: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** What the auth middleware and routes need from a token store. */
export interface TokenStore {
  create(name: string, role: Role, grants: readonly string[], createdBy: string): Promise<CreatedToken>;
  /** The live token whose secret this is, or undefined (unknown, malformed or revoked). */
  verify(secret: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  /** Revokes a live token by id or name; undefined when there is none. */
  revoke(idOrName: string, revokedBy: string): Promise<TokenRecord | undefined>;
  /** How many tokens are live (not revoked). */
  countActive(): Promise<number>;
}

export interface CreatedToken {
  /** `weir_…`: shown once, never stored. */
  secret: string;
  record: TokenRecord;
}

interface TokenRow {
  id: string;
  name: string;
  role: string;
  grants: string;
  secret_hash: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** `last_used_at` is written at most this often per token, so a busy token does not turn every read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const COLUMNS = "id, name, role, grants, secret_hash, created_at, created_by, last_used_at, revoked_at";

/**
 * API tokens in the metadata store (`api_tokens`, migration 8). A token's secret is
 * returned once by `create` and only its SHA-256 is kept. Creating and revoking are
 * audited (`token.create`, `token.revoke`) in the same transaction as the change; a
 * `detokenize` grant is also written to `governance_grants` for the principal
 * `token:<name>` (and removed on revoke), because the token vault decides detokenization
 * from those grants — `weir revoke detokenize --from token:<name>` still takes it away.
 *
 * @example
 * const tokens = new SqlTokenStore(store);
 * const { secret } = await tokens.create("ci", "operator", [], "alice");
 * (await tokens.verify(secret))?.role // "operator"
 */
export class SqlTokenStore implements TokenStore {
  private readonly db: SqlDatabase;
  private readonly audit: AuditLog;
  private readonly clock: Clock;

  constructor(store: MetadataStore, options: { clock?: Clock } = {}) {
    this.db = storeDatabase(store);
    this.clock = options.clock ?? systemClock;
    this.audit = new AuditLog(this.db, { clock: this.clock });
  }

  async create(
    name: string,
    role: Role,
    grants: readonly string[],
    createdBy: string,
  ): Promise<CreatedToken> {
    const record = newRecord(name, role, grants, createdBy, this.clock.now().toISOString());
    const secret = newTokenSecret();
    const actor = createdBy;
    await this.db.transaction(async (tx) => {
      // One live token per name (also a partial unique index, which settles a race between processes).
      const taken = await tx.get("SELECT id FROM api_tokens WHERE name = ? AND revoked_at IS NULL", [name]);
      if (taken !== undefined) throw nameTaken(name);
      try {
        await tx.run(`INSERT INTO api_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)`, [
          record.id,
          record.name,
          record.role,
          JSON.stringify(record.grants),
          hashTokenSecret(secret),
          record.createdAt,
          record.createdBy,
        ]);
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(name);
        throw error;
      }
      for (const permission of record.grants) {
        await setGovernanceGrant(tx, this.audit, `token:${name}`, permission, actor, record.createdAt);
      }
      await this.audit.appendWithin(tx, {
        actor,
        action: "token.create",
        details: { id: record.id, name, role, grants: record.grants },
      });
    });
    return { secret, record };
  }

  async verify(secret: string): Promise<TokenRecord | undefined> {
    if (!looksLikeTokenSecret(secret)) return undefined;
    const hash = hashTokenSecret(secret);
    const row = await this.db.get<TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE secret_hash = ? AND revoked_at IS NULL`,
      [hash],
    );
    // The lookup is by hash, which reveals nothing about the secret; the constant-time
    // comparison keeps the check itself free of timing differences all the same.
    if (row === undefined || !digestsEqual(row.secret_hash, hash)) return undefined;
    const now = this.clock.now();
    const last = row.last_used_at === null ? undefined : Date.parse(row.last_used_at);
    if (last === undefined || now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
      const at = now.toISOString();
      const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
      await this.db.run(
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
        [at, row.id, before],
      );
      row.last_used_at = at;
    }
    return recordOf(row);
  }

  async list(): Promise<TokenRecord[]> {
    const rows = await this.db.all<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`);
    return rows.map(recordOf);
  }

  async revoke(idOrName: string, revokedBy: string): Promise<TokenRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens WHERE (id = ? OR name = ?) AND revoked_at IS NULL`,
        [idOrName, idOrName],
      );
      if (row === undefined) return undefined;
      const at = this.clock.now().toISOString();
      const changed = await tx.run(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [at, row.id],
      );
      if (changed === 0) return undefined;
      const record = recordOf({ ...row, revoked_at: at });
      for (const permission of record.grants) {
        const removed = await tx.run("DELETE FROM governance_grants WHERE principal = ? AND permission = ?", [
          `token:${record.name}`,
          permission,
        ]);
        if (removed > 0) {
          await this.audit.appendWithin(tx, {
            actor: revokedBy,
            action: "revoke",
            details: { principal: `token:${record.name}`, permission },
          });
        }
      }
      await this.audit.appendWithin(tx, {
        actor: revokedBy,
        action: "token.revoke",
        details: { id: record.id, name: record.name },
      });
      return record;
    });
  }

  async countActive(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL",
    );
    return toNumber(row?.n ?? 0);
  }
}

function newRecord(
  name: string,
  role: Role,
  grants: readonly string[],
  createdBy: string,
  createdAt: string,
): TokenRecord {
  if (!NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `token name ${JSON.stringify(name)} is invalid: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { details: { name } },
    );
  }
  if (createdBy.trim() === "") throw new ConfigError("a token needs the name of who creates it");
  return {
    id: uuidv7(),
    name,
    role: parseRole(role),
    grants: [...new Set(grants.map((g) => parsePermission(g)))].sort(),
    createdAt,
    createdBy,
  };
}

/** Writes a grant row as `GovernanceGrants.grant` does, but inside the token's transaction (audited likewise). */
async function setGovernanceGrant(
  tx: SqlConnection,
  audit: AuditLog,
  principal: string,
  permission: string,
  by: string,
  at: string,
): Promise<void> {
  const added = await tx.run(
    `INSERT INTO governance_grants (principal, permission, granted_by, granted_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (principal, permission) DO NOTHING`,
    [principal, permission, by, at],
  );
  if (added > 0)
    await audit.appendWithin(tx, { actor: by, action: "grant", details: { principal, permission } });
}

function recordOf(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    grants: JSON.parse(row.grants) as string[],
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}

function nameTaken(name: string): ConfigError {
  return new ConfigError(
    `a live API token named "${name}" exists already: revoke it first (weir token revoke ${name}) or pick another name`,
    { details: { name } },
  );
}

/** SQLite's SQLITE_CONSTRAINT_UNIQUE or PostgreSQL's 23505. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || /UNIQUE constraint failed/.test(String(error))
  );
}
