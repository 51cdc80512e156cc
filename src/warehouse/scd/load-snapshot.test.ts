import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { createModelTable } from "../ddl/create-table-sql.js";
import { tableDefinition } from "../ddl/table-definition.js";
import { SNAPSHOT_LOADS } from "../ledger/ledger-tables.js";
import { latestSnapshot } from "../ledger/snapshot-ledger.js";
import { type DimensionModel, type DimensionSpec, defineDimension } from "../model/define-dimension.js";
import { loadSnapshot } from "./load-snapshot.js";

const SCHEMA = `scd_test_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

type Row = [key: string | null, email: string | null, firstName: string | null, segment: string | null];

/** A snapshot as a query: VALUES with the dimension's columns, plus a column the load ignores. */
function snapshot(rows: Row[]): { sql: string } {
  const lit = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);
  const values = rows.map((r) => `(${r.map(lit).join(", ")}, 'ignored')`).join(", ");
  return { sql: `SELECT * FROM (VALUES ${values}) AS t(user_id, email, first_name, segment, extra)` };
}

function loadSuite(name: string, open: () => Promise<Engine>): void {
  describe(`loadSnapshot on ${name}`, () => {
    let engine: Engine;
    let n = 0;

    beforeAll(async () => {
      engine = await open();
      await engine.createSchema(SCHEMA);
    });
    afterAll(async () => {
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(SCHEMA)} CASCADE`);
      await engine
        .run(`DELETE FROM ${engine.dialect.quoteTable(SNAPSHOT_LOADS)} WHERE table_name LIKE $1`, [
          `${SCHEMA}.%`,
        ])
        .catch(() => 0);
      await engine.close();
    });

    /** A new dimension table in the test schema (users: tracked email and segment, SCD1 first_name). */
    async function newDimension(spec: Partial<DimensionSpec> = {}) {
      const dim = defineDimension({
        name: `dim_users_${++n}`,
        schema: SCHEMA,
        surrogateKey: "user_key",
        naturalKey: "user_id",
        columns: { user_id: "varchar", email: "varchar", first_name: "varchar", segment: "varchar" },
        scd1: ["first_name"],
        hardDeletes: "invalidate",
        ...spec,
      });
      await createModelTable(engine, tableDefinition(dim, engine.kind));
      return dim;
    }

    /** The table as `key user_id email first_name segment from to current` lines (no hash), by key. */
    async function contents(dim: DimensionModel): Promise<string[]> {
      const d = engine.dialect;
      const cols = dim.columns
        .filter((c) => dim.scdType === 1 || c.name !== dim.hashColumn)
        .map((c) => `CAST(${d.quoteIdent(c.name)} AS VARCHAR) AS ${d.quoteIdent(c.name)}`);
      const rows = await engine.query<Record<string, string | null>>(
        `SELECT ${cols.join(", ")} FROM ${d.quoteTable({ schema: SCHEMA, name: dim.name })} ORDER BY ${d.quoteIdent(dim.surrogateKey)}`,
      );
      return rows.map((r) =>
        Object.values(r)
          .map((v) => v ?? "∅")
          .join(" "),
      );
    }

    it("two loads of one snapshot at once: one applies, the other is skipped, the table as after one load (10 rounds)", async () => {
      const day1 = snapshot([
        ["a", "a@x", "Ann", "free"],
        ["b", "b@x", "Bo", "free"],
      ]);
      const day2 = snapshot([
        ["a", "a2@x", "Ann", "gold"],
        ["c", "c@x", "Cy", "free"],
      ]);
      const reference = await newDimension();
      await loadSnapshot(engine, reference, day1, { asOf: "2024-06-01" });
      await loadSnapshot(engine, reference, day2, { asOf: "2024-06-02" });
      const expected = await contents(reference);
      const deadline = Date.now() + 30_000;
      for (let round = 0; round < 10 && Date.now() < deadline; round++) {
        const dim = await newDimension();
        await loadSnapshot(engine, dim, day1, { asOf: "2024-06-01" });
        const results = await Promise.all([
          loadSnapshot(engine, dim, day2, { asOf: "2024-06-02" }),
          loadSnapshot(engine, dim, day2, { asOf: "2024-06-02" }),
        ]);
        expect(results.map((r) => r.skipped).sort(), `round ${round}`).toEqual([false, true]);
        expect(await contents(dim), `round ${round}`).toEqual(expected);
      }
    }, 60_000);

    it("cuts versions like a dbt snapshot: changes, hard deletes, returning keys, SCD1 overwrites", async () => {
      const dim = await newDimension();
      const day1 = await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["b", "b@x", "Bo", "free"],
          ["a", "a@x", "Ann", "free"],
          ["c", "c@x", "Cy", "gold"],
        ]),
        { asOf: "2024-06-01" },
      );
      expect(day1).toMatchObject({
        skipped: false,
        newKeys: 3,
        changed: 0,
        versionsInserted: 3,
        unchanged: 0,
      });

      // a changes email (tracked), c vanishes, d arrives.
      const day2 = await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["a", "a2@x", "Ann", "free"],
          ["b", "b@x", "Bo", "free"],
          ["d", "d@x", "Di", "free"],
        ]),
        { asOf: "2024-06-02" },
      );
      expect(day2).toEqual({
        table: `${SCHEMA}.${dim.name}`,
        asOf: "2024-06-02",
        skipped: false,
        newKeys: 1,
        changed: 1,
        closed: 1,
        reopened: 0,
        unchanged: 1,
        scd1Updated: 0,
        versionsInserted: 2,
      });

      // c comes back unchanged: a new version all the same. b's first name (SCD1) changes in place.
      const day3 = await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["a", "a2@x", "Ann", "free"],
          ["b", "b@x", "Bob", "free"],
          ["c", "c@x", "Cyrus", "gold"],
          ["d", "d@x", "Di", "free"],
        ]),
        { asOf: "2024-06-03" },
      );
      expect(day3).toMatchObject({
        newKeys: 0,
        changed: 0,
        closed: 0,
        reopened: 1,
        unchanged: 3,
        versionsInserted: 1,
        // b's one version and c's closed one.
        scd1Updated: 2,
      });

      // Keys 1..3 in natural-key order on day 1, then 4 (a's new version) and 5 (d) in key order.
      expect(await contents(dim)).toEqual([
        "1 a a@x Ann free 2024-06-01 2024-06-02 false",
        "2 b b@x Bob free 2024-06-01 ∅ true",
        "3 c c@x Cyrus gold 2024-06-01 2024-06-02 false",
        "4 a a2@x Ann free 2024-06-02 ∅ true",
        "5 d d@x Di free 2024-06-02 ∅ true",
        "6 c c@x Cyrus gold 2024-06-03 ∅ true",
      ]);
      expect(await latestSnapshot(engine, `${SCHEMA}.${dim.name}`)).toMatchObject({
        asOf: "2024-06-03",
        loadedAtSeq: 3,
      });
    });

    it("skips a snapshot loaded before (latest or older) and refuses an older one not loaded", async () => {
      const dim = await newDimension();
      const day = (email: string) => snapshot([["a", email, "Ann", "free"]]);
      await loadSnapshot(engine, dim, day("1@x"), { asOf: "2024-06-01" });
      await loadSnapshot(engine, dim, day("3@x"), { asOf: "2024-06-03" });
      const before = await contents(dim);

      expect(await loadSnapshot(engine, dim, day("3@x"), { asOf: "2024-06-03" })).toMatchObject({
        skipped: true,
        versionsInserted: 0,
      });
      expect(await loadSnapshot(engine, dim, day("1@x"), { asOf: "2024-06-01" })).toMatchObject({
        skipped: true,
      });
      await expect(loadSnapshot(engine, dim, day("2@x"), { asOf: "2024-06-02" })).rejects.toMatchObject({
        code: "WAREHOUSE_LOAD_FAILED",
        message: expect.stringContaining(
          `snapshot of 2024-06-02 is older than the latest loaded snapshot of ${SCHEMA}.${dim.name} (2024-06-03)`,
        ),
      });
      // A loaded date with other rows: versions were cut from the first content.
      await expect(loadSnapshot(engine, dim, day("other@x"), { asOf: "2024-06-03" })).rejects.toThrow(
        /snapshot of 2024-06-03 was already loaded into .* with other content/,
      );
      await expect(loadSnapshot(engine, dim, day("other@x"), { asOf: "2024-06-01" })).rejects.toThrow(
        /already loaded/,
      );
      expect(await contents(dim)).toEqual(before);
      expect(await latestSnapshot(engine, `${SCHEMA}.${dim.name}`)).toMatchObject({ loadedAtSeq: 2 });
    });

    it("fails on duplicate or NULL natural keys before changing anything", async () => {
      const dim = await newDimension();
      await loadSnapshot(engine, dim, snapshot([["a", "a@x", "A", "free"]]), { asOf: "2024-06-01" });
      const before = await contents(dim);
      const dupes: Row[] = ["k1", "k2", "k3", "k4", "k5", "k6", "k7"].flatMap((k) => [
        [k, "1", "x", "free"],
        [k, "2", "x", "free"],
      ]);
      const failure = loadSnapshot(engine, dim, snapshot([["z", "z", "z", "free"], ...dupes]), {
        asOf: "2024-06-02",
      });
      await expect(failure).rejects.toMatchObject({ code: "WAREHOUSE_LOAD_FAILED" });
      await expect(failure).rejects.toThrow(
        `the snapshot for ${SCHEMA}.${dim.name} has 7 natural key(s) (user_id) on more than one row: k1 ×2, k2 ×2, k3 ×2, k4 ×2, k5 ×2, …`,
      );
      await expect(
        loadSnapshot(
          engine,
          dim,
          snapshot([
            [null, "n@x", "N", "free"],
            [null, "m@x", "M", "free"],
            ["b", "b@x", "B", "free"],
          ]),
          { asOf: "2024-06-02" },
        ),
      ).rejects.toThrow(/has 2 row\(s\) with a NULL natural key \(user_id\)/);
      expect(await contents(dim)).toEqual(before);
      expect(await latestSnapshot(engine, `${SCHEMA}.${dim.name}`)).toMatchObject({ asOf: "2024-06-01" });
    });

    it("fails naming the columns a snapshot lacks, and a date that is not one", async () => {
      const dim = await newDimension();
      await expect(
        loadSnapshot(engine, dim, { sql: "SELECT 'a' AS user_id, 'x' AS email" }, { asOf: "2024-06-01" }),
      ).rejects.toThrow(/lacks column\(s\) first_name, segment/);
      await expect(
        loadSnapshot(engine, dim, snapshot([["a", "a", "a", "a"]]), { asOf: "2024-13-01" }),
      ).rejects.toThrow(/"2024-13-01" .* is not a yyyy-mm-dd date/);
    });

    it("keeps vanished keys open with hardDeletes: ignore", async () => {
      const dim = await newDimension({ hardDeletes: "ignore" });
      await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["a", "a@x", "A", "free"],
          ["b", "b@x", "B", "free"],
        ]),
        { asOf: "2024-06-01" },
      );
      const result = await loadSnapshot(engine, dim, snapshot([["a", "a@x", "A", "free"]]), {
        asOf: "2024-06-02",
      });
      expect(result).toMatchObject({ closed: 0, unchanged: 1, versionsInserted: 0 });
      expect(await contents(dim)).toEqual([
        "1 a a@x A free 2024-06-01 ∅ true",
        "2 b b@x B free 2024-06-01 ∅ true",
      ]);
    });

    it("never touches the unknown member, and new keys continue after the largest", async () => {
      const dim = await newDimension();
      const t = engine.dialect.quoteTable({ schema: SCHEMA, name: dim.name });
      await engine.run(
        `INSERT INTO ${t} VALUES (-1, 'unknown', NULL, 'Unknown', NULL, CAST('1900-01-01' AS DATE), NULL, TRUE, 'x'),
           (41, 'old', 'o@x', 'Old', 'free', CAST('2024-05-01' AS DATE), CAST('2024-05-02' AS DATE), FALSE, 'x')`,
      );
      const result = await loadSnapshot(engine, dim, snapshot([["unknown", "u@x", "U", "free"]]), {
        asOf: "2024-06-01",
      });
      expect(result).toMatchObject({ newKeys: 1, reopened: 0, closed: 0, scd1Updated: 0 });
      expect(await contents(dim)).toEqual([
        "-1 unknown ∅ Unknown ∅ 1900-01-01 ∅ true",
        "41 old o@x Old free 2024-05-01 2024-05-02 false",
        "42 unknown u@x U free 2024-06-01 ∅ true",
      ]);
    });

    it("orders new text keys bytewise on every engine, and keeps composite keys apart", async () => {
      const dim = await newDimension({ naturalKey: ["user_id", "segment"], scd1: [] });
      await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["é", "1", "x", "s"],
          ["b", "2", "x", "s"],
          ["B", "3", "x", "s"],
          ["a", "4", "x", "t"],
          ["a", "5", "x", "s"],
        ]),
        { asOf: "2024-06-01" },
      );
      expect((await contents(dim)).map((r) => r.split(" ").slice(0, 3).join(" "))).toEqual([
        "1 B 3",
        "2 a 5",
        "3 a 4",
        "4 b 2",
        "5 é 1",
      ]);
    });

    it("records the same content hash on every engine and release", async () => {
      // Pinned: the value weir recorded before the hash moved out of the stage. A snapshot
      // loaded by an earlier release must still be recognised (skipped) when loaded again.
      const dim = await newDimension();
      const rows: Row[] = [
        ["a", "a@x", "A", "free"],
        ["b", null, "B|\\\\", "paid"],
        ["c", "c@x", null, null],
      ];
      await loadSnapshot(engine, dim, snapshot(rows), { asOf: "2024-06-01" });
      expect(await latestSnapshot(engine, `${SCHEMA}.${dim.name}`)).toMatchObject({
        contentHash: "v1:3:414475315744563553",
      });
      const again = await loadSnapshot(engine, dim, snapshot([...rows].reverse()), { asOf: "2024-06-01" });
      expect(again.skipped).toBe(true);
    });

    it("checks composite keys as a whole: a repeated pair or a NULL part fails", async () => {
      const dim = await newDimension({ naturalKey: ["user_id", "segment"], scd1: [] });
      // Each part repeats on its own ("a", "s"); only the pair (a, s) twice is a duplicate.
      const rows: Row[] = [
        ["a", "1", "x", "s"],
        ["a", "2", "x", "t"],
        ["b", "3", "x", "s"],
      ];
      await expect(
        loadSnapshot(engine, dim, snapshot([...rows, ["a", "4", "x", "s"]]), { asOf: "2024-06-01" }),
      ).rejects.toThrow(/has 1 natural key\(s\) \(user_id, segment\) on more than one row: \(a, s\) ×2$/);
      await expect(
        loadSnapshot(engine, dim, snapshot([...rows, ["c", "5", "x", null]]), { asOf: "2024-06-01" }),
      ).rejects.toThrow(/has 1 row\(s\) with a NULL natural key \(user_id, segment\)/);
      expect(await contents(dim)).toEqual([]);
      expect(await loadSnapshot(engine, dim, snapshot(rows), { asOf: "2024-06-01" })).toMatchObject({
        newKeys: 3,
      });
    });

    it("takes the effective date from a declared column, cast to the validity type", async () => {
      const dim = await newDimension({
        columns: {
          user_id: "varchar",
          email: "varchar",
          first_name: "varchar",
          segment: "varchar",
          changed_at: "timestamp",
        },
        effectiveFrom: { column: "changed_at" },
        validity: { type: "timestamp" },
      });
      const snap = (email: string, at: string | null) => ({
        sql: `SELECT 'a' AS user_id, '${email}' AS email, 'A' AS first_name, 'free' AS segment, ${at === null ? "NULL" : `'${at}'`} AS changed_at`,
      });
      await loadSnapshot(engine, dim, snap("1@x", "2024-05-30 08:15:00"), { asOf: "2024-06-01" });
      await loadSnapshot(engine, dim, snap("2@x", "2024-06-01 17:00:00"), { asOf: "2024-06-02" });
      await loadSnapshot(engine, dim, snap("3@x", null), { asOf: "2024-06-03" });
      const d = engine.dialect;
      const rows = await engine.query<{ f: string; t: string | null }>(
        `SELECT CAST(effective_date AS VARCHAR) AS f, CAST(expiry_date AS VARCHAR) AS t FROM ${d.quoteTable({ schema: SCHEMA, name: dim.name })} ORDER BY user_key`,
      );
      expect(rows).toEqual([
        { f: "2024-05-30 08:15:00", t: "2024-06-01 17:00:00" },
        { f: "2024-06-01 17:00:00", t: "2024-06-03 00:00:00" },
        { f: "2024-06-03 00:00:00", t: null },
      ]);
    });

    it("upserts a type 1 dimension in place, whatever the date, keeping vanished keys", async () => {
      const dim = await newDimension({ type: 1, scd1: [], hardDeletes: "invalidate" });
      await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["b", "b@x", "B", "free"],
          ["a", "a@x", "A", "free"],
        ]),
        { asOf: "2024-06-05" },
      );
      // An older date applies too; a changes segment, b vanishes (kept), c is new.
      const result = await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["a", "a@x", "A", "gold"],
          ["c", "c@x", "C", "free"],
        ]),
        { asOf: "2024-06-01" },
      );
      expect(result).toMatchObject({
        newKeys: 1,
        scd1Updated: 1,
        versionsInserted: 1,
        unchanged: 0,
        closed: 0,
      });
      expect(await contents(dim)).toEqual(["1 a a@x A gold", "2 b b@x B free", "3 c c@x C free"]);
      const again = await loadSnapshot(
        engine,
        dim,
        snapshot([
          ["a", "a@x", "A", "gold"],
          ["c", "c@x", "C", "free"],
        ]),
        { asOf: "2024-06-01" },
      );
      expect(again.skipped).toBe(true);
    });

    it("works with hostile schema, table and column names", async () => {
      const hostile = 'we"ird; drop';
      const dim = defineDimension({
        name: `dim ${hostile} ${++n}`,
        schema: SCHEMA,
        surrogateKey: `key ${hostile}`,
        naturalKey: `id ${hostile}`,
        columns: { [`id ${hostile}`]: "varchar", [`v ${hostile}`]: "varchar", [`s1 ${hostile}`]: "varchar" },
        scd1: [`s1 ${hostile}`],
        hardDeletes: "invalidate",
        validity: { from: `from ${hostile}`, to: `to ${hostile}`, current: `cur ${hostile}` },
        hashColumn: `hash ${hostile}`,
      });
      await createModelTable(engine, tableDefinition(dim, engine.kind));
      const q = (s: string) => engine.dialect.quoteIdent(s);
      const snap = (rows: [string, string, string][]) => ({
        sql: `SELECT * FROM (VALUES ${rows.map((r) => `(${r.map((v) => `'${v}'`).join(", ")})`).join(", ")}) AS t(${q(`id ${hostile}`)}, ${q(`v ${hostile}`)}, ${q(`s1 ${hostile}`)})`,
      });
      await loadSnapshot(
        engine,
        dim,
        snap([
          ["a", "1", "x"],
          ["b", "1", "x"],
        ]),
        { asOf: "2024-06-01" },
      );
      const result = await loadSnapshot(engine, dim, snap([["a", "2", "y"]]), { asOf: "2024-06-02" });
      expect(result).toMatchObject({ changed: 1, closed: 1, scd1Updated: 1, versionsInserted: 1 });
      expect(await contents(dim)).toEqual([
        "1 a 1 y 2024-06-01 2024-06-02 false",
        "2 b 1 x 2024-06-01 2024-06-02 false",
        "3 a 2 y 2024-06-02 ∅ true",
      ]);
    });
  });
}

loadSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  loadSuite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
