import type { Command } from "commander";
import { AuditLog } from "../../governance/audit/audit-log.js";
import { GovernanceError } from "../../governance/audit/governance-error.js";
import { storeDatabase } from "../../governance/audit/store-database.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";
import type { SqlDatabase } from "../../metadata/sql-database.js";
import { requireStore } from "../cli-home.js";
import { loadCliProject, parseCount } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

/** `weir audit verify` and `weir audit list`: the hash-chained audit log in the metadata store. */
export function registerAuditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description("the append-only audit log: detokenizations, grants, policy changes, erasures");
  audit
    .command("verify")
    .description("recompute the hash chain; fails naming the first entry that was changed or removed")
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      await withGovernanceDatabase({ read: true }, async (db) => {
        const result = await new AuditLog(db).verify();
        if (options.json) print(result);
        if (!result.ok) {
          throw new GovernanceError(
            "AUDIT_CHAIN_BROKEN",
            `the audit log does not verify at seq ${result.firstBadSeq}: ${result.reason}`,
            { details: { firstBadSeq: result.firstBadSeq, entries: result.entries } },
          );
        }
        if (options.json) return;
        const head = result.head ? `; head seq ${result.head.seq}, hash ${result.head.hash}` : "";
        process.stdout.write(`audit log verified: ${result.entries} entries${head}\n`);
      });
    });
  audit
    .command("list")
    .description("audit entries, newest first")
    .option("--action <action>", "only entries with this action (detokenize, grant, policy.change…)")
    .option("--limit <n>", "at most this many (default 50)")
    .option("--json", "print JSON")
    .action(async (options: { action?: string; limit?: string; json?: boolean }) => {
      const limit = options.limit ? parseCount(options.limit, "--limit") : 50;
      await withGovernanceDatabase({ read: true }, async (db) => {
        const entries = await new AuditLog(db).list({
          limit,
          ...(options.action ? { action: options.action } : {}),
        });
        if (options.json) return print(entries);
        if (entries.length === 0) return void process.stdout.write("no audit entries\n");
        const rows = entries.map((e) => [
          e.seq,
          e.at,
          e.actor,
          e.action,
          e.dataset ?? undefined,
          e.rows ?? undefined,
          e.reason ?? undefined,
        ]);
        process.stdout.write(
          `${renderTable(["seq", "at", "actor", "action", "dataset", "rows", "reason"], rows)}\n`,
        );
      });
    });
}

/**
 * Opens the project's metadata store for a governance command and hands over its database.
 * Not through `redactingStore`: scrubbing rewrites any parameter holding a registered
 * secret, and a vault's cipher text must be stored as it was computed.
 */
export async function withGovernanceDatabase<T>(
  options: { read?: boolean },
  fn: (db: SqlDatabase) => Promise<T>,
): Promise<T> {
  const { config } = await loadCliProject();
  if (options.read) requireStore(config);
  const store = await openMetadataStore(config.metadataUrl ?? `${config.home}/weir.db`);
  try {
    return await fn(storeDatabase(store));
  } finally {
    await store.close();
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonSafe, 2)}\n`);
}
