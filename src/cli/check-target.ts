import { existsSync, statSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { ConfigError, LakeError } from "../core/errors.js";
import { tableLabel, tableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { openEngine } from "../engines/open-engine.js";
import { openRuntime, type WeirRuntime } from "../orchestrator/open-runtime.js";
import type { CheckTarget } from "../quality/suite-target.js";

const READERS: Record<string, string> = {
  ".csv": "read_csv",
  ".tsv": "read_csv",
  ".parquet": "read_parquet",
  ".ndjson": "read_json_auto",
  ".jsonl": "read_json_auto",
  ".json": "read_json_auto",
};

export interface ResolvedTarget {
  target: CheckTarget;
  /** The dataset name results are stored under. */
  dataset: string;
  /** What the user named, for messages. */
  label: string;
}

/** The engine (the home's warehouse, or `--engine`) and the metadata store a `check`/`profile` uses. */
export interface CheckSession {
  runtime: WeirRuntime;
  engine: Engine;
  close(): Promise<void>;
}

export async function openCheckSession(engineUrl: string | undefined): Promise<CheckSession> {
  const runtime = await openRuntime();
  try {
    const engine = engineUrl ? await openEngine(engineUrl) : runtime.engine;
    return {
      runtime,
      engine,
      close: async () => {
        if (engine !== runtime.engine) await engine.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/**
 * What `weir check` / `weir profile` were pointed at: a CSV/Parquet/NDJSON file (read by
 * DuckDB), a lake dataset (`lake.raw.customers`, scanned from its manifest) or a table of
 * the engine (`dim_customers`, `quarantine.customers`).
 */
export async function resolveCheckTarget(arg: string, session: CheckSession): Promise<ResolvedTarget> {
  const { engine } = session;
  const ext = extname(arg).toLowerCase();
  const isFile = existsSync(arg) ? statSync(arg).isFile() : arg.includes("*") && ext in READERS;
  if (isFile) {
    const reader = READERS[ext];
    if (!reader) {
      throw new ConfigError(
        `cannot read ${arg}: expected a .csv, .tsv, .parquet, .ndjson, .jsonl or .json file`,
        {
          details: { file: arg },
        },
      );
    }
    if (!engine.capabilities.readsFiles) {
      throw new ConfigError(
        `the ${engine.kind} engine cannot read files: check ${arg} without --engine (DuckDB)`,
        {
          details: { file: arg },
        },
      );
    }
    return {
      target: { sql: `SELECT * FROM ${reader}(${engine.dialect.quoteLiteral(resolve(arg))})` },
      dataset: basename(arg),
      label: arg,
    };
  }
  if (arg.startsWith("lake.")) {
    if (engine !== session.runtime.engine) {
      throw new ConfigError(
        `lake dataset ${arg} can only be checked on the home's DuckDB warehouse (drop --engine)`,
        {
          details: { dataset: arg },
        },
      );
    }
    const dataset = session.runtime.lake.dataset(arg);
    const scan = await dataset.scanSql();
    if (!scan) {
      throw new LakeError(
        "LAKE_NOT_FOUND",
        `lake dataset ${dataset.id} has no data (no committed files in ${dataset.dir})`,
        {
          details: { dataset: dataset.id, path: dataset.dir },
        },
      );
    }
    return { target: { sql: `SELECT * FROM ${scan}` }, dataset: dataset.id, label: dataset.id };
  }
  const table = tableRef(arg);
  if (!(await engine.describe(table))) {
    throw new ConfigError(
      `no table ${tableLabel(table)} in the ${engine.kind} warehouse, no file ${arg}, and not a lake dataset (lake.<zone>.<name>)`,
      { details: { target: arg } },
    );
  }
  return { target: table, dataset: tableLabel(table), label: tableLabel(table) };
}
