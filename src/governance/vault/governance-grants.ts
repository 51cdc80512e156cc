import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import type { SqlConnection, SqlDatabase } from "../../metadata/sql-database.js";
import type { AuditLog } from "../audit/audit-log.js";

/** What a grant can allow. `detokenize`: read the values behind tokens. */
export const GOVERNANCE_PERMISSIONS = ["detokenize"] as const;
export type GovernancePermission = (typeof GOVERNANCE_PERMISSIONS)[number];

export interface GrantRecord {
  principal: string;
  permission: string;
  grantedBy: string;
  grantedAt: string;
}

/**
 * Explicit grants held by principals (`governance_grants`). Granting and revoking are
 * audited in the same transaction as the change, so the log never misses one.
 */
export class GovernanceGrants {
  constructor(
    private readonly db: SqlDatabase,
    private readonly audit: AuditLog,
    private readonly clock: Clock = systemClock,
  ) {}

  /** True when `principal` holds `permission`; `tx` reads inside a caller's transaction. */
  async has(
    principal: string,
    permission: GovernancePermission,
    tx: SqlConnection = this.db,
  ): Promise<boolean> {
    const row = await tx.get<{ n: number }>(
      "SELECT 1 AS n FROM governance_grants WHERE principal = ? AND permission = ?",
      [principal, permission],
    );
    return row !== undefined;
  }

  /** Grants `permission` to `principal`; false when it was held already (nothing is audited then). */
  async grant(principal: string, permission: GovernancePermission, by: string): Promise<boolean> {
    checkGrant(principal, permission, by);
    return this.db.transaction(async (tx) => {
      const added = await tx.run(
        `INSERT INTO governance_grants (principal, permission, granted_by, granted_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (principal, permission) DO NOTHING`,
        [principal, permission, by, this.clock.now().toISOString()],
      );
      if (added === 0) return false;
      await this.audit.appendWithin(tx, { actor: by, action: "grant", details: { principal, permission } });
      return true;
    });
  }

  /** Revokes `permission` from `principal`; false when it was not held (nothing is audited then). */
  async revoke(principal: string, permission: GovernancePermission, by: string): Promise<boolean> {
    checkGrant(principal, permission, by);
    return this.db.transaction(async (tx) => {
      const removed = await tx.run("DELETE FROM governance_grants WHERE principal = ? AND permission = ?", [
        principal,
        permission,
      ]);
      if (removed === 0) return false;
      await this.audit.appendWithin(tx, { actor: by, action: "revoke", details: { principal, permission } });
      return true;
    });
  }

  /** Every grant, by principal then permission. */
  async list(): Promise<GrantRecord[]> {
    const rows = await this.db.all<{
      principal: string;
      permission: string;
      granted_by: string;
      granted_at: string;
    }>(
      "SELECT principal, permission, granted_by, granted_at FROM governance_grants ORDER BY principal, permission",
    );
    return rows.map((r) => ({
      principal: r.principal,
      permission: r.permission,
      grantedBy: r.granted_by,
      grantedAt: r.granted_at,
    }));
  }
}

/** The permission, or a ConfigError listing the known ones. */
export function parsePermission(text: string): GovernancePermission {
  if (!(GOVERNANCE_PERMISSIONS as readonly string[]).includes(text)) {
    throw new ConfigError(
      `unknown permission "${text}": expected one of ${GOVERNANCE_PERMISSIONS.join(", ")}`,
      { details: { permission: text } },
    );
  }
  return text as GovernancePermission;
}

function checkGrant(principal: string, permission: string, by: string): void {
  parsePermission(permission);
  if (principal.trim() === "") throw new ConfigError("a grant needs a principal (who receives it)");
  if (by.trim() === "") throw new ConfigError("a grant needs the name of who grants it");
}
