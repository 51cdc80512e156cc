import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { WriteInput } from "../connectors/sink.js";
import { noteDataset, withoutObserver } from "../core/activity-scope.js";
import { ConfigError } from "../core/errors.js";
import { type TableRef, tableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import {
  type CommitMarker,
  type CommitResult,
  type CommitStepHook,
  commitWrite,
  type LakeWriteMode,
} from "./lake-commit.js";
import { resolveRelative } from "./lake-files.js";
import { DatasetLock } from "./lake-lock.js";
import { type RewriteResult, rewritePartitions } from "./lake-rewrite.js";
import { emptyRelationSql, readParquetSql } from "./lake-scan.js";
import { cleanLeftovers, vacuumDataset } from "./lake-vacuum.js";
import { type Manifest, readManifest } from "./manifest.js";
import {
  assertFilterColumns,
  matchesFilter,
  type PartitionColumn,
  type PartitionFilter,
  type PartitionValues,
  partitionKey,
} from "./partitioning.js";
import type { Zone } from "./zones.js";

export interface LakeWriteOptions {
  mode: LakeWriteMode;
  /** Defaults to the dataset's current partitioning (none for a new dataset). */
  partitionBy?: PartitionColumn[];
  /** How long to wait for another writer's lock before failing with LAKE_LOCKED. Default 0. */
  lockWaitMs?: number;
  /**
   * Makes the write idempotent (see `CommitMarker`): under the dataset's lock, when the
   * manifest already marks `key` at `value` or higher the write does nothing and its result
   * says `skipped: true`; otherwise the commit sets `markers[key] = value` in the same swap.
   */
  marker?: CommitMarker;
}

export interface RewriteOptions {
  /** Values of the predicate's `$1`, `$2`… (bound, never pasted). */
  params?: readonly unknown[];
  /** How long to wait for another writer's lock before failing with LAKE_LOCKED. Default 0. */
  lockWaitMs?: number;
  /** Only count the matching rows and find their partitions: no lock, no commit. */
  dryRun?: boolean;
}

export interface PartitionInfo {
  values: PartitionValues;
  /** The partition's folder, relative to the dataset folder (`""` when unpartitioned). */
  path: string;
  files: number;
  rows: number;
  bytes: number;
}

export interface LakeDatasetInit {
  zone: Zone;
  name: string;
  dir: string;
  engine: Engine;
  onCommitStep?: CommitStepHook;
}

/**
 * One dataset of the lake: Hive-partitioned zstd Parquet files under
 * `<root>/<zone>/<name>/`, made visible by atomic manifest commits.
 *
 * @example
 * const orders = lake.dataset("lake.raw.orders");
 * await orders.write({ engine, sql: "SELECT * FROM staging.orders" },
 *   { mode: "overwrite-partition", partitionBy: timePartitions("ordered_at", "day") });
 * const from = await orders.scanSql({ year: "2024", month: "03" });
 */
export class LakeDataset {
  /** `lake.<zone>.<name>`. */
  readonly id: string;
  readonly zone: Zone;
  readonly name: string;
  /** The dataset's folder. */
  readonly dir: string;
  /** The DuckDB engine that writes and scans the dataset. */
  readonly engine: Engine;
  private readonly onCommitStep: CommitStepHook | undefined;

  constructor(init: LakeDatasetInit) {
    this.zone = init.zone;
    this.name = init.name;
    this.id = `lake.${init.zone}.${init.name}`;
    this.dir = init.dir;
    this.engine = init.engine;
    this.onCommitStep = init.onCommitStep;
  }

  /**
   * Writes `input` as one atomic commit: `append` adds files, `overwrite` replaces the
   * dataset, `overwrite-partition` replaces exactly the partitions present in the new data
   * (so re-running a day's load replaces that day). Throws LAKE_LOCKED while another
   * writer commits to this dataset (after `lockWaitMs`). Leftovers of interrupted commits
   * are removed first.
   */
  async write(input: WriteInput, options: LakeWriteOptions): Promise<CommitResult> {
    const modes: readonly string[] = ["append", "overwrite", "overwrite-partition"];
    if (!modes.includes(options.mode)) {
      throw new ConfigError(
        `lake dataset ${this.id} cannot be written with mode "${options.mode}": expected append, overwrite or overwrite-partition`,
        { details: { dataset: this.id, mode: options.mode } },
      );
    }
    await mkdir(this.dir, { recursive: true });
    const lock = await DatasetLock.acquire(this.dir, this.id, `${options.mode} commit`, {
      waitMs: options.lockWaitMs ?? 0,
    });
    try {
      // Holding the lock, no other commit is in flight: what an earlier one left is garbage.
      // Best effort: a leftover that cannot be removed must not stop commits (vacuum reports it).
      await cleanLeftovers(this.dir).catch(() => undefined);
      const result = await withoutObserver(() =>
        commitWrite({
          dataset: this.id,
          datasetDir: this.dir,
          engine: this.engine,
          input,
          mode: options.mode,
          ...(options.partitionBy ? { partitionBy: options.partitionBy } : {}),
          ...(options.marker ? { marker: options.marker } : {}),
          ...(this.onCommitStep ? { onStep: this.onCommitStep } : {}),
        }),
      );
      if (!result.skipped) {
        noteDataset({
          direction: "output",
          kind: "lake",
          name: this.id,
          location: this.dir,
          rows: result.rowsWritten,
          files: result.filesAdded,
          ...("sql" in input ? { sourceSql: input.sql, sourceEngine: input.engine } : {}),
        });
      }
      return result;
    } finally {
      await lock.release();
    }
  }

  /**
   * Removes the rows for which `predicateSql` is TRUE, in one atomic commit under the
   * dataset's lock: the partitions holding such rows are rewritten without them, the others
   * are untouched (see `rewritePartitions`). Nothing matching commits nothing. A concurrent
   * writer waits for (or, past its `lockWaitMs`, fails on) the lock, as for any commit.
   *
   * @example
   * const { rowsRemoved, partitions } = await lake.dataset("lake.raw.customers")
   *   .rewritePartitions(`"email" = $1`, { params: [email], lockWaitMs: 60_000 });
   */
  async rewritePartitions(predicateSql: string, options: RewriteOptions = {}): Promise<RewriteResult> {
    const request = {
      dataset: this.id,
      datasetDir: this.dir,
      engine: this.engine,
      predicateSql,
      ...(options.params ? { params: options.params } : {}),
      ...(this.onCommitStep ? { onStep: this.onCommitStep } : {}),
    };
    if (options.dryRun) return withoutObserver(() => rewritePartitions({ ...request, dryRun: true }));
    if (!existsSync(this.dir)) return withoutObserver(() => rewritePartitions(request));
    const lock = await DatasetLock.acquire(this.dir, this.id, "rewrite commit", {
      waitMs: options.lockWaitMs ?? 0,
    });
    try {
      await cleanLeftovers(this.dir).catch(() => undefined);
      return await withoutObserver(() => rewritePartitions(request));
    } finally {
      await lock.release();
    }
  }

  /** The current manifest, or undefined when nothing was ever committed. */
  manifest(): Promise<Manifest | undefined> {
    return readManifest(this.dir);
  }

  /** The value the current manifest marks `key` with (see `LakeWriteOptions.marker`), if any. */
  async marker(key: string): Promise<number | undefined> {
    return (await this.manifest())?.markers?.[key];
  }

  /**
   * A FROM-able DuckDB expression over the live files matching `filter` (partition
   * pruning: other files are not even opened). Undefined when the dataset has no files;
   * an empty relation with the dataset's columns when the filter matches none.
   */
  async scanSql(filter?: PartitionFilter): Promise<string | undefined> {
    const manifest = await this.manifest();
    if (!manifest || manifest.files.length === 0) return undefined;
    noteDataset({ direction: "input", kind: "lake", name: this.id, location: this.dir });
    const files = this.matchingFiles(manifest, filter);
    if (files.length === 0) return emptyRelationSql(this.engine.dialect, manifest);
    return readParquetSql(this.engine.dialect, this.dir, manifest, files);
  }

  /** Absolute paths of the live files matching `filter`. */
  async files(filter?: PartitionFilter): Promise<string[]> {
    const manifest = await this.manifest();
    if (!manifest) return [];
    return this.matchingFiles(manifest, filter).map((f) => resolveRelative(this.dir, f.path));
  }

  /** The live partitions with their file, row and byte counts, in folder order. */
  async partitions(): Promise<PartitionInfo[]> {
    const manifest = await this.manifest();
    if (!manifest) return [];
    const byKey = new Map<string, PartitionInfo>();
    for (const file of manifest.files) {
      const key = partitionKey(file.partition, manifest.partitionColumns);
      const path = file.path.split("/").slice(0, -1).join("/");
      const info = byKey.get(key) ?? { values: file.partition, path, files: 0, rows: 0, bytes: 0 };
      info.files += 1;
      info.rows += file.rows;
      info.bytes += file.bytes;
      byKey.set(key, info);
    }
    return [...byKey.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Deletes leftovers of interrupted commits (staging folders, unlisted Parquet files,
   * temporary manifests and claims, dead writers' lock files); with `dryRun` only lists
   * them. Takes the writer lock, so it never races a commit. Commits also clean up when
   * they find leftovers, so this is rarely needed.
   */
  async vacuum(options: { lockWaitMs?: number; dryRun?: boolean } = {}): Promise<{ removed: string[] }> {
    if (!existsSync(this.dir)) return { removed: [] };
    const lock = await DatasetLock.acquire(this.dir, this.id, "vacuum", { waitMs: options.lockWaitMs ?? 0 });
    try {
      const dryRun = options.dryRun ?? false;
      return { removed: await vacuumDataset(this.dir, await this.manifest(), { dryRun }) };
    } finally {
      await lock.release();
    }
  }

  /**
   * Creates (or replaces) a view over the current manifest's files, e.g. `lake_raw.customers`,
   * so SQL can `SELECT … FROM lake_raw.customers`. The view lists files, so it shows later
   * commits only after it is created again. Returns false, creating nothing, when the
   * dataset has no files yet.
   */
  async createView(engine: Engine, view: TableRef | string): Promise<boolean> {
    const ref = typeof view === "string" ? tableRef(view) : view;
    const from = await this.scanSql();
    if (from === undefined) return false;
    if (ref.schema) await engine.createSchema(ref.schema);
    await engine.run(`CREATE OR REPLACE VIEW ${engine.dialect.quoteTable(ref)} AS SELECT * FROM ${from}`);
    return true;
  }

  private matchingFiles(manifest: Manifest, filter: PartitionFilter | undefined): Manifest["files"] {
    if (!filter || Object.keys(filter).length === 0) return manifest.files;
    assertFilterColumns(filter, manifest.partitionColumns, this.id);
    return manifest.files.filter((f) => matchesFilter(f.partition, filter));
  }
}
