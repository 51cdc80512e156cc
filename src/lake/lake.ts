import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { weirPaths } from "../core/paths.js";
import type { Engine } from "../engines/engine.js";
import type { CommitStepHook } from "./lake-commit.js";
import { LakeDataset } from "./lake-dataset.js";
import { readManifest } from "./manifest.js";
import { parseDatasetId, ZONES, type Zone } from "./zones.js";

export interface LakeOptions {
  /** The lake's folder. Default `weirPaths().lake` (`.weir/lake/`). */
  root?: string;
  /** The engine that writes and reads the Parquet files (it must write Parquet itself: DuckDB). */
  engine: Engine;
  /** Called at each step of every commit; for progress reporting and crash testing. */
  onCommitStep?: CommitStepHook;
}

export interface DatasetInfo {
  id: string;
  zone: Zone;
  name: string;
  version: number;
  files: number;
  rows: number;
  bytes: number;
  partitionColumns: string[];
  updatedAt: string;
}

export interface VacuumReport {
  dataset: string;
  /** Paths removed (or, with dryRun, to remove), relative to the dataset folder. */
  removed: string[];
}

/**
 * The data lake: a folder of zones (`raw`, `processed`, `curated`, `sandbox`), each
 * holding datasets of Hive-partitioned Parquet files with an atomic manifest.
 *
 * @example
 * const lake = await Lake.open({ engine });
 * await lake.dataset("lake.raw.customers").write({ engine, sql: "SELECT * FROM crm" }, { mode: "overwrite" });
 * await lake.attach(); // SELECT * FROM lake_raw.customers
 */
export class Lake {
  private constructor(
    readonly root: string,
    private readonly engine: Engine,
    private readonly onCommitStep: CommitStepHook | undefined,
  ) {}

  static async open(options: LakeOptions): Promise<Lake> {
    if (!options.engine.capabilities.writesParquet) {
      throw new ConfigError(
        `the lake needs an engine that writes Parquet itself (duckdb); got a ${options.engine.kind} engine`,
        { details: { engine: options.engine.kind } },
      );
    }
    const root = options.root ?? weirPaths().lake;
    await mkdir(root, { recursive: true });
    return new Lake(root, options.engine, options.onCommitStep);
  }

  /** A dataset by id: `lake.raw.customers` or `raw.customers`. It need not exist yet. */
  dataset(id: string): LakeDataset {
    const { zone, name } = parseDatasetId(id);
    return new LakeDataset({
      zone,
      name,
      dir: join(this.root, zone, name),
      engine: this.engine,
      ...(this.onCommitStep ? { onCommitStep: this.onCommitStep } : {}),
    });
  }

  /** Every committed dataset, by zone then name. */
  async datasets(): Promise<DatasetInfo[]> {
    const infos: DatasetInfo[] = [];
    for (const zone of ZONES) {
      const names = await readdir(join(this.root, zone)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        let dataset: LakeDataset;
        try {
          dataset = this.dataset(`${zone}.${name}`);
        } catch {
          continue; // not a dataset folder (unsafe name): nothing weir wrote
        }
        const manifest = await readManifest(dataset.dir);
        if (!manifest) continue;
        infos.push({
          id: dataset.id,
          zone,
          name,
          version: manifest.version,
          files: manifest.files.length,
          rows: manifest.files.reduce((sum, f) => sum + f.rows, 0),
          bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
          partitionColumns: manifest.partitionColumns,
          updatedAt: manifest.updatedAt,
        });
      }
    }
    return infos;
  }

  /**
   * Vacuums every dataset folder, committed or not (a first commit killed midway leaves a
   * folder without a manifest): see `LakeDataset.vacuum`. Datasets with nothing to remove
   * are included with an empty list.
   */
  async vacuum(options: { lockWaitMs?: number; dryRun?: boolean } = {}): Promise<VacuumReport[]> {
    const reports: VacuumReport[] = [];
    for (const zone of ZONES) {
      const entries = await readdir(join(this.root, zone), { withFileTypes: true }).catch(() => []);
      const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
      for (const name of names.sort()) {
        let dataset: LakeDataset;
        try {
          dataset = this.dataset(`${zone}.${name}`);
        } catch {
          continue; // not a dataset folder (unsafe name): nothing weir wrote
        }
        reports.push({ dataset: dataset.id, ...(await dataset.vacuum(options)) });
      }
    }
    return reports;
  }

  /**
   * Creates a view per dataset with files, named `<prefix><zone>.<name>` (default
   * `lake_raw.customers`), on `engine` (default the lake's). Returns the view names.
   * Views list the files of the moment; attach again after new commits.
   */
  async attach(engine: Engine = this.engine, options: { schemaPrefix?: string } = {}): Promise<string[]> {
    const prefix = options.schemaPrefix ?? "lake_";
    const views: string[] = [];
    for (const info of await this.datasets()) {
      const view = { schema: `${prefix}${info.zone}`, name: info.name };
      if (await this.dataset(info.id).createView(engine, view)) views.push(`${view.schema}.${view.name}`);
    }
    return views;
  }
}
