import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { DEFAULT_PII_SAMPLE_ROWS, type PiiScanReport, scanTable } from "../../governance/pii/scan-table.js";
import { openReadingSession, resolveCheckTarget } from "../check-target.js";
import { loadCliProject } from "../cli-project.js";
import { renderFileRead } from "../render-file-read.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

interface PiiScanCliOptions {
  json?: boolean;
  sample?: string;
  full?: boolean;
  engine?: string;
}

/** `weir pii scan <dataset|file> [--json] [--sample N] [--full] [--engine url]`. Returns `weir pii`. */
export function registerPiiCommand(program: Command): Command {
  const pii = program
    .command("pii")
    .description("find personal data (PII) in tables, lake datasets and files");
  pii
    .command("scan")
    .description(
      "classify each column (email, phone, SSN, card, IBAN, IP, birth date, name) from sampled values and its name",
    )
    .argument(
      "<target>",
      "a warehouse table, a lake dataset (lake.raw.customers) or a CSV/Parquet/NDJSON file",
    )
    .option("--json", "print the report as JSON")
    .option("--sample <n>", `check the first n rows (default ${DEFAULT_PII_SAMPLE_ROWS})`)
    .option("--full", "check every row")
    .option("--engine <url>", "scan on this engine instead of the home's warehouse")
    .action(async (targetArg: string, options: PiiScanCliOptions) => {
      const sampleRows = sampleOption(options);
      // Resolved as `weir profile` does: a table needs an existing home; a file (or a table of
      // another database, --engine) without one is read through a scratch home removed afterwards.
      const { config } = await loadCliProject();
      const session = await openReadingSession(targetArg, options.engine, config, "weir-pii-");
      try {
        const resolved = await resolveCheckTarget(targetArg, session);
        const report = await scanTable(resolved.engine, resolved.target, { sampleRows });
        report.target = resolved.label;
        const read = resolved.read;
        // A scan that finds PII succeeded: the exit code stays 0.
        process.stdout.write(
          options.json
            ? `${JSON.stringify(read ? { ...report, read } : report, jsonSafe, 2)}\n`
            : `${read ? `${renderFileRead(read, "checked")}\n\n` : ""}${renderPiiScan(report)}\n`,
        );
      } finally {
        await session.close();
      }
    });
  return pii;
}

function sampleOption(options: PiiScanCliOptions): number | "all" {
  if (options.full && options.sample !== undefined) {
    throw new ConfigError("weir pii scan: --sample and --full exclude each other");
  }
  if (options.full) return "all";
  if (options.sample === undefined) return DEFAULT_PII_SAMPLE_ROWS;
  const n = Number(options.sample);
  if (!(Number.isInteger(n) && n > 0)) {
    throw new ConfigError(`invalid --sample "${options.sample}": expected a positive integer number of rows`);
  }
  return n;
}

/**
 * One line per column and class found (a column without PII gets one line with `-`), then
 * what was read:
 *
 *     column  type     class  confidence  matched  evidence     policy
 *     email   varchar  email        1.00   100.0%  name+values  hash
 */
export function renderPiiScan(report: PiiScanReport): string {
  const rows: unknown[][] = [];
  for (const c of report.columns) {
    if (c.classes.length === 0) rows.push([c.column, c.type, "-", "", "", "", ""]);
    for (const f of c.classes) {
      rows.push([
        c.column,
        c.type,
        f.class,
        f.confidence.toFixed(2),
        `${(f.matchedShare * 100).toFixed(1)}%`,
        f.evidence,
        f.suggestedPolicy,
      ]);
    }
  }
  const flagged = report.columns.filter((c) => c.classes.length > 0).length;
  // Fewer rows than the sample size: the sample was the whole table.
  const sampled = report.sampleRows !== "all" && report.rowsScanned >= report.sampleRows;
  const sample = sampled ? `the first ${report.sampleRows}; --full checks every row` : "every row";
  return [
    renderTable(["column", "type", "class", "confidence", "matched", "evidence", "policy"], rows),
    "",
    `${report.target}: ${flagged} of ${report.columns.length} columns hold PII (${report.rowsScanned} rows checked: ${sample})`,
  ].join("\n");
}
