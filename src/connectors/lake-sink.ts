import { ConfigError } from "../core/errors.js";
import type { CommitResult, LakeWriteMode } from "../lake/lake-commit.js";
import type { LakeDataset } from "../lake/lake-dataset.js";
import type { PartitionColumn } from "../lake/partitioning.js";
import type { Sink, WriteInput, WriteMode, WriteResult } from "./sink.js";

export interface LakeSinkOptions {
  /** append, overwrite or overwrite-partition; the lake has no keys, so no upsert. */
  mode: WriteMode;
  partitionBy?: PartitionColumn[];
  lockWaitMs?: number;
}

export interface LakeWriteResult extends WriteResult {
  commit: CommitResult;
}

const LAKE_MODES: readonly string[] = ["append", "overwrite", "overwrite-partition"];

/**
 * A Sink into a lake dataset: each `write` is one atomic commit. With `overwrite-partition`
 * a re-run for the same logical date replaces that date's partitions, so it is idempotent.
 *
 * @example
 * const sink = new LakeSink(lake.dataset("lake.raw.events"), {
 *   mode: "overwrite-partition",
 *   partitionBy: timePartitions("event_time", "day"),
 * });
 * await sink.write({ engine, sql: "SELECT * FROM staged_events" });
 */
export class LakeSink implements Sink {
  readonly type = "lake";
  readonly location: string;
  private readonly mode: LakeWriteMode;

  constructor(
    private readonly dataset: LakeDataset,
    private readonly options: LakeSinkOptions,
  ) {
    if (!LAKE_MODES.includes(options.mode)) {
      throw new ConfigError(
        `lake sink ${dataset.id} does not support write mode "${options.mode}": expected append, overwrite or overwrite-partition (the lake has no keys to upsert by)`,
        { details: { dataset: dataset.id, mode: options.mode } },
      );
    }
    this.mode = options.mode as LakeWriteMode;
    this.location = dataset.id;
  }

  async write(input: WriteInput): Promise<LakeWriteResult> {
    const commit = await this.dataset.write(input, {
      mode: this.mode,
      ...(this.options.partitionBy ? { partitionBy: this.options.partitionBy } : {}),
      ...(this.options.lockWaitMs !== undefined ? { lockWaitMs: this.options.lockWaitMs } : {}),
    });
    return { rowsWritten: commit.rowsWritten, commit };
  }
}
