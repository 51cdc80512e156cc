import pc from "picocolors";
import { describeInferredSchema } from "../connectors/inferred-schema.js";
import type { FileRead } from "./file-target.js";

/**
 * What reading a file target took, for people, printed before its check or profile:
 *
 *     read orders.csv (csv): 4 rows: 3 loaded, 1 rejected (not checked)
 *       orders.csv:3: Expected Number of Columns: 3 Found: 4 (expected 3 columns)
 *     columns: a bigint, b bigint, c bigint
 */
export function renderFileRead(read: FileRead, what: "checked" | "profiled"): string {
  const rejected =
    read.rejected === 0 ? "" : `, ${pc.yellow(`${read.rejected} rejected`)} ${pc.dim(`(not ${what})`)}`;
  const out = [
    `read ${read.file} (${read.source}): ${read.rowsRead} rows: ${read.rowsLoaded} loaded${rejected}`,
  ];
  for (const r of read.rejections) out.push(`  ${pc.yellow("⇥")} ${oneLine(r.reason)}`);
  const more = read.rejected - read.rejections.length;
  if (more > 0) out.push(pc.dim(`  … and ${more} more`));
  out.push(`columns: ${describeInferredSchema({ fields: read.columns })}`);
  return out.join("\n");
}

/** A reason can quote a raw line; keep each rejection on one line of the terminal. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ");
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
