import type { WriteInput } from "../../connectors/sink.js";
import type { LakeDataset } from "../../lake/lake-dataset.js";
import type { PartitionColumn } from "../../lake/partitioning.js";
import type { EpochOutput, EpochSink } from "../contracts.js";
import { eventsQuery } from "./events-sql.js";
import { sinkFailed } from "./sink-error.js";

export interface LakeEpochSinkOptions {
  /** Hive partition columns of the events, e.g. `["date", "hour"]` (columns the events carry). */
  partitionBy?: PartitionColumn[];
  /**
   * How long a commit waits for the dataset's lock while another writer (another partition
   * task of the job, say) commits. Default 60 s.
   */
  lockWaitMs?: number;
  /** The sink's name in status lines and errors; default `lake:<dataset id>`. */
  name?: string;
}

const LOCK_WAIT_MS = 60_000;

/** The manifest marker holding the last epoch a job's partition committed to a dataset. */
export function streamMarkerKey(job: string, partition: string): string {
  return `stream:${job}:${partition}`;
}

/**
 * Appends each epoch's kept events to a lake dataset, exactly once: the commit marks
 * `stream:<job>:<partition>` with the epoch in the same manifest swap as the files, and the
 * lake skips (under the dataset's lock) a write whose epoch the manifest already marks.
 *
 * An epoch with no events writes nothing, not even its marker (a manifest version per idle
 * epoch would churn the commit history): `committedEpoch` is then the last epoch that
 * carried events. That is safe because an epoch is replayed deterministically: replaying
 * an empty epoch is empty again, and one at or below the marker is skipped.
 *
 * @example
 * const sink = new LakeEpochSink(lake.dataset("lake.raw.user_events"), { partitionBy: ["date", "hour"] });
 */
export class LakeEpochSink implements EpochSink {
  readonly name: string;

  constructor(
    private readonly dataset: LakeDataset,
    private readonly options: LakeEpochSinkOptions = {},
  ) {
    this.name = options.name ?? `lake:${dataset.id}`;
  }

  async commit(output: EpochOutput): Promise<void> {
    if (output.events.numRows === 0) return;
    try {
      const events = output.events;
      // An event file goes to DuckDB's JSON reader: no column is built in JavaScript.
      const input: WriteInput =
        "columns" in events
          ? { batches: [events] }
          : {
              engine: this.dataset.engine,
              sql: eventsQuery(this.dataset.engine, { ...events, file: events.file! }),
            };
      await this.dataset.write(input, {
        mode: "append",
        ...(this.options.partitionBy ? { partitionBy: this.options.partitionBy } : {}),
        lockWaitMs: this.options.lockWaitMs ?? LOCK_WAIT_MS,
        marker: { key: streamMarkerKey(output.job, output.partition), value: output.epoch },
      });
    } catch (error) {
      throw sinkFailed(this.name, output, error);
    }
  }

  committedEpoch(job: string, partition: string): Promise<number | undefined> {
    return this.dataset.marker(streamMarkerKey(job, partition));
  }

  /** The dataset's engine belongs to the caller: nothing to close. */
  async close(): Promise<void> {}
}
