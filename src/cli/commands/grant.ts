import type { Command } from "commander";
import { auditActor } from "../../governance/audit/audit-actor.js";
import { parsePermission } from "../../governance/vault/governance-grants.js";
import { TokenVault } from "../../governance/vault/token-vault.js";
import { jsonSafe } from "../report-error.js";
import { withGovernanceDatabase } from "./audit.js";

/**
 * `weir grant <permission> --to <principal>`, `weir revoke <permission> --from <principal>`
 * and `weir detokenize <token...> --reason "…"`. Who grants and who asks is the audit actor
 * (`WEIR_USER`, else the OS user); every grant, revoke and detokenization is audited.
 */
export function registerGrantCommand(program: Command): void {
  program
    .command("grant")
    .description("grant a governance permission (detokenize) to a principal; audited")
    .argument("<permission>", "detokenize")
    .requiredOption("--to <principal>", "who receives it (a WEIR_USER name or an OS user)")
    .action(async (permissionText: string, options: { to: string }) => {
      const permission = parsePermission(permissionText);
      await withGovernanceDatabase({}, async (db) => {
        const added = await new TokenVault(db).grant(options.to, permission, auditActor());
        process.stdout.write(
          added
            ? `granted ${permission} to ${options.to}\n`
            : `${options.to} already holds ${permission}: nothing changed\n`,
        );
      });
    });
  program
    .command("revoke")
    .description("revoke a governance permission from a principal; audited")
    .argument("<permission>", "detokenize")
    .requiredOption("--from <principal>", "who loses it")
    .action(async (permissionText: string, options: { from: string }) => {
      const permission = parsePermission(permissionText);
      await withGovernanceDatabase({ read: true }, async (db) => {
        const removed = await new TokenVault(db).revoke(options.from, permission, auditActor());
        process.stdout.write(
          removed
            ? `revoked ${permission} from ${options.from}\n`
            : `${options.from} does not hold ${permission}: nothing changed\n`,
        );
      });
    });
  program
    .command("detokenize")
    .description("print the values behind tokens (needs a detokenize grant and WEIR_TOKEN_KEY); audited")
    .argument("<token...>", "tokens written by a tokenize policy (tok_…)")
    .requiredOption("--reason <text>", "why: kept in the audit log")
    .option("--json", "print JSON")
    .action(async (tokens: string[], options: { reason: string; json?: boolean }) => {
      await withGovernanceDatabase({ read: true }, async (db) => {
        const values = await new TokenVault(db).detokenize(tokens, {
          principal: auditActor(),
          reason: options.reason,
        });
        if (options.json) {
          const pairs = tokens.map((token, i) => ({ token, value: values[i] }));
          return void process.stdout.write(`${JSON.stringify(pairs, jsonSafe, 2)}\n`);
        }
        const lines = tokens.map(
          (token, i) => `${token}\t${values[i] ?? "(no value: an unknown token, or erased)"}`,
        );
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });
}
