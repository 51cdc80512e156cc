import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { auditActor } from "../../governance/audit/audit-actor.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";
import { parseRole } from "../../server/auth/role.js";
import { SqlTokenStore } from "../../server/auth/token-store.js";
import { requireStore } from "../cli-home.js";
import { loadCliProject } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

/**
 * `weir token create|list|revoke`: the API tokens of `weir serve`. The creator or revoker
 * is the audit actor (`WEIR_USER`, else the OS user); both are audited. `create` prints the
 * token alone on stdout (so `TOKEN=$(weir token create …)` works) and says on stderr that
 * it is shown only this once: only its hash is stored.
 */
export function registerTokenCommand(program: Command): void {
  const token = program.command("token").description("API tokens for weir serve (create, list, revoke)");
  token
    .command("create")
    .description("create an API token and print it once; audited")
    .requiredOption("--name <name>", "what the token is for (unique among live tokens), e.g. ci or grafana")
    .requiredOption(
      "--role <role>",
      "viewer (read), operator (also trigger, retry, pause) or admin (also tokens)",
    )
    .option("--grant <permission...>", "extra grants: detokenize")
    .action(async (options: { name: string; role: string; grant?: string[] }) => {
      const role = parseRole(options.role);
      await withTokenStore({}, async (tokens) => {
        const { secret, record } = await tokens.create(options.name, role, options.grant ?? [], auditActor());
        process.stdout.write(`${secret}\n`);
        process.stderr.write(
          `created API token ${record.name} (${record.role}${record.grants.length > 0 ? `, ${record.grants.join(", ")}` : ""}, id ${record.id}); store it now: it will not be shown again\n`,
        );
      });
    });
  token
    .command("list")
    .description("API tokens (never their secrets), live and revoked")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      await withTokenStore({ read: true }, async (tokens) => {
        const records = await tokens.list();
        if (options.json) return void process.stdout.write(`${JSON.stringify(records, jsonSafe, 2)}\n`);
        if (records.length === 0) return void process.stdout.write("no API tokens\n");
        const rows = records.map((r) => [
          r.id,
          r.name,
          r.role,
          r.grants.join(",") || undefined,
          r.createdAt,
          r.createdBy,
          r.lastUsedAt,
          r.revokedAt,
        ]);
        process.stdout.write(
          `${renderTable(["id", "name", "role", "grants", "created", "by", "last used", "revoked"], rows)}\n`,
        );
      });
    });
  token
    .command("revoke")
    .description("revoke a live API token by id or name; audited")
    .argument("<id-or-name>", "the token's id or name")
    .action(async (idOrName: string) => {
      await withTokenStore({ read: true }, async (tokens) => {
        const revoked = await tokens.revoke(idOrName, auditActor());
        if (revoked === undefined) {
          throw new ConfigError(
            `no live API token with id or name ${idOrName} (weir token list shows them)`,
            {
              details: { token: idOrName },
            },
          );
        }
        process.stdout.write(`revoked API token ${revoked.name} (id ${revoked.id})\n`);
      });
    });
}

async function withTokenStore<T>(options: { read?: boolean }, fn: (tokens: SqlTokenStore) => Promise<T>) {
  const { config } = await loadCliProject();
  if (options.read) requireStore(config);
  const store: MetadataStore = await openMetadataStore(config.metadataUrl ?? `${config.home}/weir.db`);
  try {
    return await fn(new SqlTokenStore(store));
  } finally {
    await store.close();
  }
}
