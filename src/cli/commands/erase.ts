import { join } from "node:path";
import type { Command } from "commander";
import type { ProjectConfig } from "../../config/project-config.js";
import { redactSecrets } from "../../config/secret.js";
import { entityKeysOf } from "../../governance/erasure/entity-keys.js";
import { eraseSubject } from "../../governance/erasure/erase-subject.js";
import type { ErasureReport } from "../../governance/erasure/erasure-types.js";
import { parseErasureSubject } from "../../governance/erasure/parse-subject.js";
import { loadWarehouseModel, warehouseModelFiles } from "../../warehouse/warehouse-model-registry.js";
import { requireStore } from "../cli-home.js";
import { loadCliProject, openCliRuntime } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

interface EraseCommandOptions {
  subject: string;
  dryRun?: boolean;
  reason?: string;
  json?: boolean;
}

/**
 * `weir erase --subject <column>=<value>`: removes a data subject from every dataset that
 * holds it (lake partitions rewritten, warehouse and quarantine rows deleted, vault tokens
 * tombstoned), records the request and audits it. The value is never printed nor stored:
 * the output and the records name it by a digest.
 */
export function registerEraseCommand(program: Command): void {
  program
    .command("erase")
    .description(
      "erase a data subject from the lake, the warehouse, quarantine and the token vault (found through lineage and policies)",
    )
    .requiredOption(
      "--subject <column=value>",
      "the subject: a column and its value, e.g. email=ann@example.com",
    )
    .option("--dry-run", "only list what would be removed (the request is still recorded and audited)")
    .option("--reason <text>", "why, e.g. a ticket; kept in the audit log")
    .option("--json", "print the report as JSON")
    .action(async (options: EraseCommandOptions) => {
      const subject = parseErasureSubject(options.subject);
      const { config } = await loadCliProject();
      requireStore(config);
      const entityKeys = entityKeysOf(await warehouseModels(config));
      // One short command of many statements: the warehouse file is opened once for it.
      const runtime = await openCliRuntime(config, { holdWarehouse: true });
      try {
        const report = await eraseSubject(runtime, subject, {
          dryRun: options.dryRun ?? false,
          entityKeys,
          ...(options.reason ? { reason: options.reason } : {}),
        });
        // The value was registered for scrubbing when the search began: nothing printed can show it.
        const text = options.json ? `${JSON.stringify(report, jsonSafe, 2)}\n` : renderReport(report);
        process.stdout.write(redactSecrets(text));
      } finally {
        await runtime.close();
      }
    });
}

/** The project's warehouse models (type 2 dimensions lose every version of the subject). */
async function warehouseModels(config: ProjectConfig) {
  const locations = config.warehouseModels ?? [join(config.root, "warehouse")];
  return Promise.all(
    warehouseModelFiles(locations).map(async (file) => (await loadWarehouseModel(file)).model),
  );
}

function renderReport(report: ErasureReport): string {
  const { plan } = report;
  const subject = `${plan.subject.column} (${plan.subject.digest.slice(0, 24)}…)`;
  const lines = [
    report.dryRun
      ? `dry run ${report.id} for ${subject}: nothing was changed`
      : `erasure ${report.id} of ${subject}`,
  ];
  if (report.datasets.length === 0) {
    lines.push(`no rows of the subject in the ${plan.searched.length} datasets searched`);
  } else {
    const rows = report.datasets.map((d) => [
      d.dataset,
      d.kind,
      d.columns.join(", "),
      d.matches.join(", "),
      d.rows,
    ]);
    lines.push(
      renderTable(
        ["dataset", "kind", "column", "match", report.dryRun ? "would remove" : "rows removed"],
        rows,
      ),
    );
  }
  const tokens = report.dryRun ? `${report.tokens} to tombstone` : `${report.tokens} tombstoned`;
  lines.push(`vault tokens: ${tokens}`);
  if (plan.notSearchable.length > 0) {
    lines.push("not searchable:");
    for (const n of plan.notSearchable) lines.push(`  ${n.dataset}.${n.column}: ${n.reason}`);
  }
  lines.push(
    report.dryRun
      ? `${report.rows} rows would be removed from ${report.datasets.length} datasets`
      : `${report.rows} rows removed from ${report.datasets.length} datasets; recorded as ${report.id} in the audit log`,
  );
  return `${lines.join("\n")}\n`;
}
