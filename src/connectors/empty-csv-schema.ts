import { ConnectorError } from "../core/errors.js";
import type { Schema, WeirType } from "../core/types.js";
import type { PeekedFile } from "./peek-files.js";

export interface EmptyCsvInput {
  /** The configured path or glob. */
  location: string;
  /** Every file it names; none holds a data row (each is blank, or a header only). */
  files: readonly PeekedFile[];
  header: boolean;
  /** Cells of a header line, as the source splits them. */
  headerCells: (line: string) => string[];
  declared: Record<string, WeirType>;
}

const DECLARE = "declare `columns` to read an empty file as zero rows";

/**
 * The schema of CSV input without a single data row: there is nothing to infer types
 * from, and DuckDB's sniffer would answer with one text column `column0` — a schema that
 * replaces the real one when the result overwrites a table or a lake dataset. So the
 * declared `columns` are the schema: in the header's order when a file has a header (every
 * header column must be declared), in declared order when the files are blank. Without
 * them this is a ConnectorError naming the files and what to declare.
 */
export function emptyCsvSchema(input: EmptyCsvInput): Schema {
  const { location, files, declared } = input;
  const headerFile = input.header ? files.find((f) => (f.lines?.length ?? 0) > 0) : undefined;
  const names = headerFile ? input.headerCells(headerFile.lines![0]!) : undefined;
  const fail = (problem: string) =>
    new ConnectorError("CONNECTOR_READ_FAILED", `${location}: ${problem}`, {
      details: { location, files: files.map((f) => f.path) },
    });
  const single = files.length === 1 && files[0]!.path === location;
  const listed = single ? "" : `: ${files.map((f) => f.path).join(", ")}`;

  if (!names) {
    const declaredFields = Object.entries(declared).map(([name, type]) => ({ name, type }));
    if (declaredFields.length > 0) return { fields: declaredFields };
    const what = input.header ? "no header row, no data" : "no data";
    throw fail(`${single ? "file is" : "every file is"} empty (${what})${listed}; ${DECLARE}`);
  }
  const where = single
    ? "file has a header but no data rows"
    : `no file has data rows, only headers${listed}`;
  const undeclared = names.filter((n) => declared[n] === undefined);
  if (undeclared.length > 0) {
    throw fail(
      `${where}, so the types of its columns cannot be inferred; declare \`columns\` (types for ${undeclared.join(", ")}) to read it as zero rows`,
    );
  }
  const unknown = Object.keys(declared).filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    throw new ConnectorError(
      "SCHEMA_MISMATCH",
      `${location}: column override "${unknown[0]}" matches no column (${names.join(", ")})`,
      { details: { location, column: unknown[0] } },
    );
  }
  return { fields: names.map((name) => ({ name, type: declared[name]! })) };
}
