import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { createSource } from "../connectors/create-source.js";
import type { InferredField } from "../connectors/inferred-schema.js";
import type { Rejection } from "../connectors/source.js";
import { ConfigError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";

/** The source a pipeline would read each file extension with. */
const SOURCES: Record<string, Record<string, unknown> & { type: string }> = {
  ".csv": { type: "csv" },
  ".tsv": { type: "csv", delimiter: "\t" },
  ".parquet": { type: "parquet" },
  ".ndjson": { type: "ndjson" },
  ".jsonl": { type: "ndjson" },
  ".json": { type: "json" },
};

/** How many rejections a check or profile shows (and puts in its JSON); the count is always whole. */
export const SHOWN_REJECTIONS = 10;

/** What reading a file target took: every row is loaded or rejected, as in a pipeline. */
export interface FileRead {
  file: string;
  /** The source type that read it (csv, ndjson, json, parquet). */
  source: string;
  rowsRead: number;
  rowsLoaded: number;
  rejected: number;
  /** The first rejections, with file, line, column and reason. */
  rejections: Rejection[];
  /** Each column's type and how it was decided. */
  columns: InferredField[];
}

/** A file read into a table of an engine, ready to be checked (read-only) and then dropped. */
export interface FileTable {
  engine: Engine;
  table: TableRef;
  read: FileRead;
  close(): Promise<void>;
}

export function isFileTargetExtension(ext: string): boolean {
  return ext in SOURCES;
}

/**
 * Reads `file` through the very source a pipeline would use for its extension (CsvSource,
 * NdjsonSource, JsonSource, ParquetSource), so a check or profile sees the rows and
 * rejections a run would. Without `engine` the rows land in a private in-memory DuckDB
 * (nothing is written to the warehouse); with one, in a scratch table of it, dropped by
 * `close()`. The extract runs before any check, which then reads the table read-only.
 */
export async function readFileTarget(file: string, engine?: Engine): Promise<FileTable> {
  const ext = extname(file).toLowerCase();
  const config = SOURCES[ext];
  if (!config) {
    throw new ConfigError(
      `cannot read ${file}: expected a .csv, .tsv, .parquet, .ndjson, .jsonl or .json file`,
      {
        details: { file },
      },
    );
  }
  const path = resolve(file);
  const source = createSource({ ...config, path });
  const spill = engine ? undefined : await mkdtemp(join(tmpdir(), "weir-check-"));
  const target = engine ?? (await privateDuckDB(spill!));
  const table: TableRef = {
    name: `weir_check_${basename(file).replace(/\W+/g, "_").slice(0, 40)}_${newId()}`,
  };
  const close = async () => {
    if (engine) await engine.run(engine.dialect.dropTable(table)).catch(() => 0);
    else await target.close();
    if (spill) await rm(spill, { recursive: true, force: true });
  };
  try {
    // The rejections come back in the result; the callback is not needed for them.
    const result = await source.extract(target, table, { reject: () => {} });
    const columns =
      result.inferredSchema?.fields ??
      (await source.schema()).fields.map((f) => ({ ...f, origin: "inferred" as const }));
    return {
      engine: target,
      table,
      read: {
        file,
        source: source.type,
        rowsRead: result.rowsRead,
        rowsLoaded: result.rowsLoaded,
        rejected: result.rejections.length,
        rejections: result.rejections.slice(0, SHOWN_REJECTIONS),
        columns,
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  } finally {
    await source.close?.();
  }
}

async function privateDuckDB(tempDirectory: string): Promise<Engine> {
  const { DuckDBEngine } = await import("../engines/duckdb/duckdb-engine.js");
  return DuckDBEngine.create({ tempDirectory });
}
