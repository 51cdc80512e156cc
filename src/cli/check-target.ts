import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import type { ProjectConfig } from "../config/project-config.js";
import { ConfigError, LakeError } from "../core/errors.js";
import { tableLabel, tableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { openEngine } from "../engines/open-engine.js";
import type { LineageConfig } from "../lineage/transports/lineage-config.js";
import { openRuntime, type WeirRuntime } from "../orchestrator/open-runtime.js";
import type { CheckTarget } from "../quality/suite-target.js";
import { homeExists, isFileTarget, noHomeError } from "./cli-home.js";
import { type FileRead, isFileTargetExtension, readFileTarget } from "./file-target.js";

export interface ResolvedTarget {
  target: CheckTarget;
  /** The engine the target is checked on: the session's, or the private DuckDB a file was read into. */
  engine: Engine;
  /** The dataset name results are stored under. */
  dataset: string;
  /** What the user named, for messages. */
  label: string;
  /** For a file: what reading it took (rows loaded and rejected, column types). */
  read?: FileRead;
}

/** The engine (the home's warehouse, or `--engine`) and the metadata store a `check`/`profile` uses. */
export interface CheckSession {
  runtime: WeirRuntime;
  engine: Engine;
  /** Also drops what resolving targets made (the table a file was read into). */
  close(): Promise<void>;
  /** Run by `close()` first, newest first. */
  cleanups: (() => Promise<void>)[];
}

/**
 * `warehouse` is the project's (`ProjectConfig.warehouse`: a DuckDB file or a PostgreSQL
 * URL); without it the runtime's default (`WEIR_WAREHOUSE_URL`, else the home's DuckDB file).
 */
export async function openCheckSession(
  engineUrl: string | undefined,
  options: { warehouse?: string; lineage?: LineageConfig } = {},
): Promise<CheckSession> {
  // One short command of many statements: the warehouse file is opened once for it.
  const runtime = await openRuntime({
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    ...(options.lineage ? { lineage: options.lineage } : {}),
    holdWarehouse: true,
  });
  try {
    const engine = engineUrl ? await openEngine(engineUrl) : runtime.engine;
    const cleanups: (() => Promise<void>)[] = [];
    return {
      runtime,
      engine,
      cleanups,
      close: async () => {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
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
 * The session of a command that only reads a target (`weir profile`, `weir pii scan`): a
 * table needs an existing home; a file (or a table of another database, `--engine`) without
 * one is read through a scratch home, removed when the session closes.
 */
export async function openReadingSession(
  targetArg: string,
  engineUrl: string | undefined,
  config: ProjectConfig,
  scratchPrefix: string,
): Promise<CheckSession> {
  let scratch: string | undefined;
  if (!homeExists(config)) {
    if (!isFileTarget(targetArg) && engineUrl === undefined) throw noHomeError(config);
    scratch = await mkdtemp(join(tmpdir(), scratchPrefix));
    process.env.WEIR_HOME = scratch;
  }
  const removeScratch = async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };
  const session = await openCheckSession(
    engineUrl,
    // A scratch home reads a file: the project's warehouse is not needed.
    scratch || !config.warehouse ? {} : { warehouse: config.warehouse },
  ).catch(async (error: unknown) => {
    await removeScratch();
    throw error;
  });
  const close = session.close;
  return {
    ...session,
    close: async () => {
      await close();
      await removeScratch();
    },
  };
}

/**
 * What `weir check` / `weir profile` were pointed at: a CSV/TSV/Parquet/NDJSON/JSON file
 * (read by the source a pipeline would use, rejections and all: `file-target.ts`), a lake
 * dataset (`lake.raw.customers`, scanned from its manifest) or a table of the engine
 * (`dim_customers`, `quarantine.customers`).
 */
export async function resolveCheckTarget(arg: string, session: CheckSession): Promise<ResolvedTarget> {
  const { engine } = session;
  const ext = extname(arg).toLowerCase();
  const isFile = existsSync(arg) ? statSync(arg).isFile() : arg.includes("*") && isFileTargetExtension(ext);
  if (isFile) {
    // Into --engine's database when one was named (its other tables stay in reach), else a private DuckDB.
    const file = await readFileTarget(arg, engine === session.runtime.engine ? undefined : engine);
    session.cleanups.push(file.close);
    return { target: file.table, engine: file.engine, dataset: basename(arg), label: arg, read: file.read };
  }
  if (arg.startsWith("lake.")) {
    if (engine !== session.runtime.engine) {
      throw new ConfigError(`lake dataset ${arg} can only be checked with the home's lake (drop --engine)`, {
        details: { dataset: arg },
      });
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
    // Scanned by the lake's DuckDB: the warehouse itself, or the lake's own next to PostgreSQL.
    return {
      target: { sql: `SELECT * FROM ${scan}` },
      engine: session.runtime.lakeEngine,
      dataset: dataset.id,
      label: dataset.id,
    };
  }
  const table = tableRef(arg);
  if (!(await engine.describe(table))) {
    throw new ConfigError(
      `no table ${tableLabel(table)} in the ${engine.kind} warehouse, no file ${arg}, and not a lake dataset (lake.<zone>.<name>)`,
      { details: { target: arg } },
    );
  }
  return { target: table, engine, dataset: tableLabel(table), label: tableLabel(table) };
}
