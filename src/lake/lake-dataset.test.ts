import { existsSync } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { batchFromRows } from "../core/batch.js";
import { WeirError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import { listParquetFiles, STAGING_DIR } from "./lake-files.js";
import { timePartitions } from "./partitioning.js";

let engine: DuckDBEngine;
let lake: Lake;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  // 3 days × 2 countries, 600 rows; deterministic values so re-runs are comparable.
  await engine.run(`CREATE TABLE events AS
    SELECT i AS id, TIMESTAMP '2024-03-01 00:00:00' + to_minutes(i * 7) AS ts,
           CASE WHEN i % 2 = 0 THEN 'DE' ELSE 'FR' END AS country, i * 1.5 AS amount
    FROM range(600) r(i) WHERE i * 7 < 3 * 24 * 60`);
});
afterAll(async () => {
  await engine.close();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "weir-lake-"));
  roots.push(root);
  lake = await Lake.open({ root, engine });
});

const byDay = [...timePartitions("ts", "day"), "country"];
const query = (sql: string) => ({ engine, sql });

async function rows(from: string): Promise<Record<string, unknown>[]> {
  return engine.query(`SELECT * FROM ${from} ORDER BY id`);
}

async function count(from: string | undefined): Promise<number> {
  if (from === undefined) return 0;
  const [row] = await engine.query(`SELECT count(*) AS n FROM ${from}`);
  return Number(row!.n);
}

describe("LakeDataset write/read", () => {
  it("round-trips Hive-partitioned data and prunes files by partition filter", async () => {
    const ds = lake.dataset("lake.raw.events");
    const commit = await ds.write(query("SELECT * FROM events"), {
      mode: "overwrite-partition",
      partitionBy: byDay,
    });
    const [expected] = await engine.query("SELECT count(*) AS n FROM events");
    expect(commit.rowsWritten).toBe(Number(expected!.n));
    expect(commit.version).toBe(1);
    expect(commit.filesAdded).toBe(6);

    const parts = await ds.partitions();
    expect(parts.map((p) => p.path)).toEqual([
      "year=2024/month=03/day=01/country=DE",
      "year=2024/month=03/day=01/country=FR",
      "year=2024/month=03/day=02/country=DE",
      "year=2024/month=03/day=02/country=FR",
      "year=2024/month=03/day=03/country=DE",
      "year=2024/month=03/day=03/country=FR",
    ]);
    expect(parts.reduce((s, p) => s + p.rows, 0)).toBe(commit.rowsWritten);

    const sql = (await ds.scanSql({ day: "02", country: "DE" }))!;
    const listed = [...sql.matchAll(/'([^']+\.parquet)'/g)].map((m) => m[1]);
    expect(listed).toEqual(await ds.files({ day: "02", country: "DE" }));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain("/day=02/country=DE/part-");
    const got = await rows(sql);
    const want = await engine.query(
      "SELECT * FROM events WHERE strftime(ts, '%d') = '02' AND country = 'DE' ORDER BY id",
    );
    expect(got.map((r) => r.id)).toEqual(want.map((r) => r.id));
    expect(got.every((r) => r.country === "DE" && r.day === 2)).toBe(true);

    // Pruning is real: a file outside the filter can vanish without the filtered read noticing.
    const other = (await ds.files({ day: "03", country: "FR" }))[0]!;
    await rename(other, `${other}.away`);
    expect(await count(await ds.scanSql({ day: ["01", "02"] }))).toBeGreaterThan(0);
    await expect(count(await ds.scanSql())).rejects.toThrow();
    await rename(`${other}.away`, other);
  });

  it("writes zstd-compressed Parquet and types partition columns from the manifest", async () => {
    const ds = lake.dataset("raw.events");
    await ds.write(query("SELECT * FROM events"), {
      mode: "overwrite",
      partitionBy: ["country", { name: "bucket", expression: "id % 5" }],
    });
    const files = (await ds.files()).map((f) => `'${f}'`).join(", ");
    const codecs = await engine.query(`SELECT DISTINCT compression FROM parquet_metadata([${files}])`);
    expect(codecs.map((r) => r.compression)).toEqual(["ZSTD"]);
    const types = await engine.query(`DESCRIBE SELECT * FROM ${await ds.scanSql()}`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      id: "BIGINT",
      country: "VARCHAR",
      bucket: "BIGINT",
      ts: "TIMESTAMP",
    });
  });

  it("overwrite-partition replaces exactly the partitions present in the new data", async () => {
    const ds = lake.dataset("raw.events");
    await ds.write(query("SELECT * FROM events"), { mode: "overwrite-partition", partitionBy: byDay });
    const day1Before = await rows((await ds.scanSql({ day: "01" }))!);
    const day3Before = await rows((await ds.scanSql({ day: "03" }))!);
    const oldDay2Files = await ds.files({ day: "02" });

    const commit = await ds.write(
      query(
        "SELECT id, ts, country, -amount AS amount FROM events WHERE strftime(ts, '%d') = '02' AND id < 250",
      ),
      { mode: "overwrite-partition" }, // partitioning is remembered by the manifest
    );
    expect(commit.filesRemoved).toBe(2);
    expect(commit.partitions.map((p) => `${p.day}/${p.country}`).sort()).toEqual(["02/DE", "02/FR"]);
    expect(await rows((await ds.scanSql({ day: "01" }))!)).toEqual(day1Before);
    expect(await rows((await ds.scanSql({ day: "03" }))!)).toEqual(day3Before);
    const day2 = await rows((await ds.scanSql({ day: "02" }))!);
    expect(day2.length).toBeGreaterThan(0);
    expect(day2.every((r) => Number(r.amount) <= 0 && Number(r.id) < 250)).toBe(true);
    for (const file of oldDay2Files) expect(existsSync(file)).toBe(false);
    expect((await ds.manifest())!.version).toBe(2);
  });

  it("re-running the same overwrite-partition write yields identical rows", async () => {
    const ds = lake.dataset("raw.events");
    const write = () =>
      ds.write(query("SELECT * FROM events WHERE country = 'FR'"), {
        mode: "overwrite-partition",
        partitionBy: byDay,
      });
    await write();
    const first = await rows((await ds.scanSql())!);
    const again = await write();
    expect(again.filesRemoved).toBe(again.filesAdded);
    expect(await rows((await ds.scanSql())!)).toEqual(first);
    expect((await ds.manifest())!.files).toHaveLength(3);
    expect(await listParquetFiles(ds.dir)).toHaveLength(3);
  });

  it("append adds files; overwrite replaces everything and may change the partitioning", async () => {
    const ds = lake.dataset("processed.events");
    await ds.write(query("SELECT * FROM events"), { mode: "append", partitionBy: ["country"] });
    await ds.write(query("SELECT * FROM events WHERE id < 10"), { mode: "append" });
    const [events] = await engine.query("SELECT count(*) AS n FROM events");
    expect(await count(await ds.scanSql())).toBe(Number(events!.n) + 10);
    expect(await count(await ds.scanSql({ country: "DE" }))).toBe(Number(events!.n) / 2 + 5);
    const manifest = (await ds.manifest())!;
    expect(manifest.commits.map((c) => [c.mode, c.rows])).toEqual([
      ["append", Number(events!.n)],
      ["append", 10],
    ]);

    const old = await ds.files();
    const commit = await ds.write(query("SELECT id, ts FROM events WHERE id < 3"), {
      mode: "overwrite",
      partitionBy: [{ name: "bucket", expression: "id % 2" }],
    });
    expect(commit.filesRemoved).toBe(old.length);
    for (const file of old) expect(existsSync(file)).toBe(false);
    const after = await engine.query(`SELECT id, bucket FROM ${await ds.scanSql()} ORDER BY id`);
    expect(after.map((r) => [Number(r.id), Number(r.bucket)])).toEqual([
      [0, 0],
      [1, 1],
      [2, 0],
    ]);
    expect((await ds.manifest())!.partitionColumns).toEqual(["bucket"]);
  });

  it("supports constant partition values and expressions replacing an input column", async () => {
    const ds = lake.dataset("raw.daily");
    const partitionBy = [
      { name: "day", expression: "'15'" },
      { name: "country", expression: "lower(country)" },
    ];
    await ds.write(query("SELECT id, country FROM events WHERE id < 4"), {
      mode: "overwrite-partition",
      partitionBy,
    });
    expect((await ds.partitions()).map((p) => p.path)).toEqual(["day=15/country=de", "day=15/country=fr"]);
    expect(await count(await ds.scanSql({ day: "15", country: "fr" }))).toBe(2);
  });

  it("loads JS batches and queries from another engine through a temporary table", async () => {
    const schema = {
      fields: [
        { name: "id", type: "integer" as const },
        { name: "name", type: "varchar" as const },
      ],
    };
    const batches = [
      batchFromRows(schema, [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ]),
      batchFromRows(schema, [{ id: 3, name: "a" }]),
    ];
    const ds = lake.dataset("raw.people");
    const commit = await ds.write({ batches }, { mode: "append", partitionBy: ["name"] });
    expect(commit.rowsWritten).toBe(3);
    expect(await rows((await ds.scanSql({ name: "a" }))!)).toEqual([
      { id: 1, name: "a" },
      { id: 3, name: "a" },
    ]);

    const other = await DuckDBEngine.create();
    try {
      await ds.write({ engine: other, sql: "SELECT 4 AS id, $1 AS name", params: ["c"] }, { mode: "append" });
    } finally {
      await other.close();
    }
    expect(await count(await ds.scanSql({ name: "c" }))).toBe(1);
    const tables = await engine.query(
      "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_weir_lake_%'",
    );
    expect(tables).toEqual([]);
  });

  it("an input without batches overwrites to empty; scanSql is then undefined", async () => {
    const ds = lake.dataset("raw.events");
    expect(await ds.scanSql()).toBeUndefined();
    await ds.write(query("SELECT * FROM events"), { mode: "overwrite" });
    const commit = await ds.write({ batches: [] }, { mode: "overwrite" });
    expect(commit).toMatchObject({ version: 2, rowsWritten: 0, filesAdded: 0, filesRemoved: 1 });
    expect(await ds.scanSql()).toBeUndefined();
    expect((await ds.manifest())!.schema.map((c) => c.name)).toEqual(["id", "ts", "country", "amount"]);
  });

  it("a filter matching no partition yields an empty relation with the dataset's columns", async () => {
    const ds = lake.dataset("raw.events");
    await ds.write(query("SELECT * FROM events"), { mode: "overwrite", partitionBy: byDay });
    const sql = (await ds.scanSql({ day: "31" }))!;
    expect(sql).not.toContain("read_parquet");
    expect(await count(sql)).toBe(0);
    const full = await engine.query(`DESCRIBE SELECT * FROM ${await ds.scanSql()}`);
    const empty = await engine.query(`DESCRIBE SELECT * FROM ${sql}`);
    expect(empty.map((c) => [c.column_name, c.column_type])).toEqual(
      full.map((c) => [c.column_name, c.column_type]),
    );
  });

  it("refuses clashing types, other partitionings and unknown columns, leaving no trace", async () => {
    const ds = lake.dataset("raw.events");
    await ds.write(query("SELECT * FROM events"), { mode: "append", partitionBy: ["country"] });
    const before = await listParquetFiles(ds.dir);
    const fail = async (p: Promise<unknown>) =>
      (await p.then(
        () => undefined,
        (e: unknown) => e,
      )) as WeirError;

    const clash = await fail(ds.write(query("SELECT 'x' AS id, 'DE' AS country"), { mode: "append" }));
    expect(clash.code).toBe("SCHEMA_MISMATCH");
    expect(clash.message).toMatch(/column "id" is VARCHAR in the new data but BIGINT in the dataset/);

    const layout = await fail(
      ds.write(query("SELECT * FROM events"), { mode: "append", partitionBy: ["id"] }),
    );
    expect(layout.message).toMatch(/partitioned by \(country\); use mode "overwrite"/);

    const missing = await fail(
      ds.write(query("SELECT id FROM events"), { mode: "overwrite", partitionBy: ["nope"] }),
    );
    expect(missing.message).toMatch(/by "nope": the input has no such column \(columns: id\)/);

    const badSql = await fail(ds.write(query("SELECT * FROM no_such_table"), { mode: "append" }));
    expect(badSql).toBeInstanceOf(WeirError);

    const filter = await fail(ds.scanSql({ id: "1" }));
    expect(filter.message).toMatch(/not a partition column/);

    expect(await listParquetFiles(ds.dir)).toEqual(before);
    expect(existsSync(join(ds.dir, STAGING_DIR))).toBe(false);
    expect((await ds.manifest())!.version).toBe(1);

    // New columns and narrower integers are fine: files are read by name, old rows read NULL.
    await ds.write(query("SELECT 9999::INTEGER AS id, 'DE' AS country, 'new' AS note"), { mode: "append" });
    const schema = (await ds.manifest())!.schema;
    expect(schema.find((c) => c.name === "id")!.type).toBe("BIGINT");
    expect(schema.at(-1)).toEqual({ name: "note", type: "VARCHAR" });
    const notes = await engine.query(`SELECT count(note) AS n, count(*) AS total FROM ${await ds.scanSql()}`);
    expect(Number(notes[0]!.n)).toBe(1);
    const [events] = await engine.query("SELECT count(*) AS n FROM events");
    expect(Number(notes[0]!.total)).toBe(Number(events!.n) + 1);
  });
});
