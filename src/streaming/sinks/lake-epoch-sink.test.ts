import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows, type RecordBatch } from "../../core/batch.js";
import type { Schema } from "../../core/types.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { Lake } from "../../lake/lake.js";
import type { EpochOutput } from "../contracts.js";
import { LakeEpochSink, streamMarkerKey } from "./lake-epoch-sink.js";

const EVENTS: Schema = {
  fields: [
    { name: "user_id", type: "varchar" },
    { name: "position", type: "bigint" },
    { name: "event_time", type: "timestamptz" },
    { name: "date", type: "varchar" },
    { name: "hour", type: "varchar" },
  ],
};

let engine: DuckDBEngine;
let root: string;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  root = await mkdtemp(join(tmpdir(), "weir-lake-epoch-sink-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

/** Epoch `epoch` of `partition`: `count` events at positions epoch*100+1…, in hour 10 or 11. */
function events(partition: string, epoch: number, count: number): RecordBatch {
  const rows = Array.from({ length: count }, (_, i) => {
    const hour = i % 2 === 0 ? "10" : "11";
    return {
      user_id: `u${partition}`,
      position: epoch * 100 + i + 1,
      event_time: `2024-03-01T${hour}:00:00.000Z`,
      date: "2024-03-01",
      hour,
    };
  });
  return batchFromRows(EVENTS, rows);
}

function output(job: string, partition: string, epoch: number, batch: RecordBatch): EpochOutput {
  return {
    job,
    partition,
    epoch,
    endPosition: epoch * 100 + batch.numRows,
    events: batch,
    windows: { schema: { fields: [] }, columns: [], numRows: 0 },
    upsert: false,
    deadLetters: [],
    late: [],
  };
}

describe("LakeEpochSink", () => {
  it("appends each epoch's events once, Hive-partitioned, and reports the marked epoch", async () => {
    const lake = await Lake.open({ root, engine });
    const dataset = lake.dataset("raw.user_events");
    const sink = new LakeEpochSink(dataset, { partitionBy: ["date", "hour"] });
    expect(sink.name).toBe("lake:lake.raw.user_events");
    expect(await sink.committedEpoch("user-events", "0")).toBeUndefined();

    await sink.commit(output("user-events", "0", 1, events("0", 1, 4)));
    await sink.commit(output("user-events", "0", 1, events("0", 1, 4)));
    await sink.commit(output("user-events", "0", 2, events("0", 2, 3)));
    await sink.commit(output("user-events", "0", 1, events("0", 1, 4)));
    expect(await sink.committedEpoch("user-events", "0")).toBe(2);

    // An empty epoch writes nothing (not even its marker); replaying it is empty again.
    const version = (await dataset.manifest())?.version;
    await sink.commit(output("user-events", "0", 3, events("0", 3, 0)));
    expect((await dataset.manifest())?.version).toBe(version);
    expect(await sink.committedEpoch("user-events", "0")).toBe(2);

    const rows = await engine.query<{ position: unknown }>(
      `SELECT position FROM ${await dataset.scanSql()} ORDER BY position`,
    );
    expect(rows.map((r) => Number(r.position))).toEqual([101, 102, 103, 104, 201, 202, 203]);
    expect((await dataset.partitions()).map((p) => p.path)).toEqual([
      "date=2024-03-01/hour=10",
      "date=2024-03-01/hour=11",
    ]);
    expect(await dataset.marker(streamMarkerKey("user-events", "0"))).toBe(2);
  });

  it("keeps one marker per job and partition while partitions commit at once", async () => {
    const lake = await Lake.open({ root, engine });
    const dataset = lake.dataset("raw.parallel_events");
    const sink = new LakeEpochSink(dataset, { partitionBy: ["date", "hour"] });
    const partitions = ["0", "1", "2", "3"];
    for (const epoch of [1, 2]) {
      // Each partition's epoch is committed twice at once (a replay racing the original).
      await Promise.all(
        partitions.flatMap((p) =>
          [1, 2].map(() => sink.commit(output("clicks", p, epoch, events(p, epoch, 2)))),
        ),
      );
    }
    expect(await Promise.all(partitions.map((p) => sink.committedEpoch("clicks", p)))).toEqual([2, 2, 2, 2]);
    expect(await sink.committedEpoch("other-job", "0")).toBeUndefined();
    const [row] = await engine.query<{ n: unknown; d: unknown }>(
      `SELECT count(*) AS n, count(DISTINCT (user_id, position)) AS d FROM ${await dataset.scanSql()}`,
    );
    expect([Number(row!.n), Number(row!.d)]).toEqual([16, 16]);
  });

  it("reports a failed commit as STREAM_SINK_FAILED naming the epoch", async () => {
    const lake = await Lake.open({ root, engine });
    const dataset = lake.dataset("raw.bad_events");
    const sink = new LakeEpochSink(dataset, { partitionBy: ["no_such_column"] });
    await expect(sink.commit(output("clicks", "0", 1, events("0", 1, 2)))).rejects.toMatchObject({
      code: "STREAM_SINK_FAILED",
      details: { sink: "lake:lake.raw.bad_events", job: "clicks", partition: "0", epoch: 1 },
    });
    expect(await sink.committedEpoch("clicks", "0")).toBeUndefined();
  });
});
