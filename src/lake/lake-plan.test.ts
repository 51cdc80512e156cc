import { describe, expect, it } from "vitest";
import { checkLayout, checkSchema, planNextManifest } from "./lake-plan.js";
import { COMMIT_HISTORY, type Manifest, type ManifestFile } from "./manifest.js";

const file = (path: string, partition: Record<string, string | null>, rows = 1): ManifestFile => ({
  path,
  partition,
  rows,
  bytes: 10,
  commitId: "c0",
});

function manifest(files: ManifestFile[], partitionColumns: string[] = ["day"]): Manifest {
  return {
    formatVersion: 1,
    dataset: "lake.raw.t",
    version: 3,
    updatedAt: "2024-01-01T00:00:00Z",
    schema: [
      { name: "id", type: "INTEGER" },
      { name: "day", type: "VARCHAR" },
    ],
    partitionBy: partitionColumns,
    partitionColumns,
    files,
    commits: [],
  };
}

const base = { dataset: "lake.raw.t", commitId: "c1", partitionBy: ["day"], partitionColumns: ["day"] };

describe("planNextManifest", () => {
  const previous = manifest([
    file("day=01/a.parquet", { day: "01" }),
    file("day=02/a.parquet", { day: "02" }),
  ]);
  const added = [file("day=02/b.parquet", { day: "02" }, 5), file("day=03/b.parquet", { day: "03" }, 7)];

  it("overwrite-partition drops exactly the files of the partitions in the new data", () => {
    const { manifest: next, removed } = planNextManifest({
      ...base,
      previous,
      mode: "overwrite-partition",
      schema: previous.schema,
      added,
    });
    expect(removed).toEqual(["day=02/a.parquet"]);
    expect(next.files.map((f) => f.path)).toEqual([
      "day=01/a.parquet",
      "day=02/b.parquet",
      "day=03/b.parquet",
    ]);
    expect(next.version).toBe(4);
    expect(next.commits).toEqual([
      expect.objectContaining({
        id: "c1",
        mode: "overwrite-partition",
        rows: 12,
        filesAdded: 2,
        filesRemoved: 1,
        partitions: [{ day: "02" }, { day: "03" }],
      }),
    ]);
  });

  it("append keeps everything; overwrite drops everything; unpartitioned overwrite-partition drops everything", () => {
    expect(planNextManifest({ ...base, previous, mode: "append", schema: undefined, added }).removed).toEqual(
      [],
    );
    expect(
      planNextManifest({ ...base, previous, mode: "overwrite", schema: undefined, added }).removed,
    ).toHaveLength(2);
    const flat = manifest([file("a.parquet", {}), file("b.parquet", {})], []);
    const plan = planNextManifest({
      ...base,
      partitionBy: [],
      partitionColumns: [],
      previous: flat,
      mode: "overwrite-partition",
      schema: [{ name: "id", type: "VARCHAR" }],
      added: [file("c.parquet", {})],
    });
    expect(plan.removed).toEqual(["a.parquet", "b.parquet"]);
    expect(plan.manifest.schema).toEqual([{ name: "id", type: "VARCHAR" }]);
  });

  it("keeps the last commits only and widens integer columns", () => {
    const long = {
      ...previous,
      commits: Array.from({ length: COMMIT_HISTORY }, (_, i) => ({ ...commit, id: `c${i}` })),
    };
    const { manifest: next } = planNextManifest({
      ...base,
      commitId: "cNew",
      previous: long,
      mode: "append",
      schema: [
        { name: "id", type: "BIGINT" },
        { name: "extra", type: "DOUBLE" },
      ],
      added,
    });
    expect(next.commits).toHaveLength(COMMIT_HISTORY);
    expect(next.commits[0]!.id).toBe("c1");
    expect(next.commits.at(-1)!.id).toBe("cNew");
    expect(next.schema).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "day", type: "VARCHAR" },
      { name: "extra", type: "DOUBLE" },
    ]);
  });
});

const commit = {
  id: "",
  time: "",
  mode: "append" as const,
  rows: 0,
  filesAdded: 0,
  filesRemoved: 0,
  partitions: [],
};

describe("layout and schema checks", () => {
  const previous = manifest([file("day=01/a.parquet", { day: "01" })]);

  it("allows the same partitioning, or any with overwrite", () => {
    expect(() => checkLayout("lake.raw.t", previous, "append", ["day"])).not.toThrow();
    expect(() => checkLayout("lake.raw.t", previous, "overwrite", ["hour"])).not.toThrow();
    expect(() => checkLayout("lake.raw.t", previous, "overwrite-partition", ["day", "hour"])).toThrow(
      /partitioned by \(day, hour\): the dataset is partitioned by \(day\)/,
    );
  });

  it("refuses clashing types unless everything is replaced; integer widths mix", () => {
    expect(() =>
      checkSchema("lake.raw.t", previous, "append", ["day"], [{ name: "id", type: "BIGINT" }]),
    ).not.toThrow();
    expect(() =>
      checkSchema("lake.raw.t", previous, "append", ["day"], [{ name: "id", type: "VARCHAR" }]),
    ).toThrow(/column "id" is VARCHAR in the new data but INTEGER in the dataset/);
    expect(() =>
      checkSchema("lake.raw.t", previous, "overwrite", ["day"], [{ name: "id", type: "VARCHAR" }]),
    ).not.toThrow();
  });
});
