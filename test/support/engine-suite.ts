import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows, collectBatches, type RecordBatch, type Row } from "../../src/core/batch.js";
import { WeirError } from "../../src/core/errors.js";
import type { Schema, TableRef, WeirType } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";
import { writeTable } from "../../src/engines/table-writer.js";
import { hasUniqueKey } from "../../src/engines/upsert-key.js";
import { statementConformance } from "./engine-statement-suite.js";

/** One column of every logical type, the first the primary key. */
export const ALL_TYPES: Schema = {
  fields: [
    { name: "id", type: "integer", nullable: false },
    { name: "flag", type: "boolean" },
    { name: "big", type: "bigint" },
    { name: "ratio", type: "double" },
    { name: "amount", type: "decimal" },
    { name: "label", type: "varchar" },
    { name: "day", type: "date" },
    { name: "at", type: "timestamp" },
    { name: "at_tz", type: "timestamptz" },
    { name: "doc", type: "json" },
    { name: "bytes", type: "blob" },
  ],
};

/** Strings that break naive CSV/COPY/SQL encoders. */
export const NASTY_STRINGS = [
  "",
  "plain",
  "tab\there",
  "new\nline",
  "carriage\rreturn",
  'double "quotes"',
  "single 'quotes'",
  "back\\slash",
  "\\N",
  "\\.",
  "comma,separated",
  "日本語 🎉 ñ",
  "trailing space ",
];

/** Rows of every type in weir's canonical representation (core/batch.ts), NULLs included. */
export function allTypeRows(count = NASTY_STRINGS.length): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const nulls = i % 5 === 4;
    rows.push({
      id: i,
      flag: nulls ? null : i % 2 === 0,
      big: nulls ? null : i === 1 ? 9007199254740993n : i * 1000,
      ratio: nulls ? null : i + 0.25,
      amount: nulls ? null : i === 0 ? "12345678901234567890.0123456789" : `-${i}.5`,
      label: i % 7 === 6 ? null : NASTY_STRINGS[i % NASTY_STRINGS.length]!,
      day: nulls ? null : `2024-02-${String((i % 28) + 1).padStart(2, "0")}`,
      at: nulls
        ? null
        : i === 0
          ? "2024-02-29 23:59:59.123456"
          : `2000-01-01 00:00:${String(i % 60).padStart(2, "0")}`,
      at_tz: nulls
        ? null
        : i === 0
          ? "2024-02-29T23:59:59.123456Z"
          : `2001-06-15T12:00:${String(i % 60).padStart(2, "0")}Z`,
      doc: nulls
        ? null
        : JSON.stringify({ i, s: NASTY_STRINGS[i % NASTY_STRINGS.length], list: [1, { b: "c" }] }),
      bytes: nulls ? null : new Uint8Array([0, 9, 10, 13, 92, 255, i % 256]),
    });
  }
  return rows;
}

/** Compares rows read back with rows written; JSON is compared parsed (PostgreSQL normalises JSONB text). */
export function expectSameRows(actual: Row[], expected: Row[]): void {
  const norm = (rows: Row[]) =>
    rows.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) {
        if (k === "doc" && typeof v === "string") out[k] = JSON.parse(v);
        else if (v instanceof Uint8Array) out[k] = Array.from(v);
        else out[k] = v;
      }
      return out;
    });
  expect(norm(actual)).toEqual(norm(expected));
}

async function* generate(batches: RecordBatch[], failAfter?: number): AsyncGenerator<RecordBatch> {
  let i = 0;
  for (const b of batches) {
    if (failAfter !== undefined && i === failAfter) throw new Error("source failed mid-stream");
    i++;
    yield b;
  }
}

/**
 * The conformance suite every engine must pass: parameter binding, queries, streaming in
 * batches, schema round trips of every logical type, bulk loads of hostile values,
 * transactions, every write mode of `writeTable`, and hostile identifiers. Runs inside its
 * own schema, dropped afterwards, so suites for several engines can share a server.
 */
export function engineConformance(label: string, open: () => Promise<Engine>): void {
  describe(`engine conformance: ${label}`, () => {
    let engine: Engine;
    const schema = `weir_conf_${randomBytes(4).toString("hex")}`;
    const t = (name: string): TableRef => ({ schema, name });
    const q = (name: string) => engine.dialect.quoteTable(t(name));

    beforeAll(async () => {
      engine = await open();
      await engine.run(engine.dialect.createSchema(schema));
    });
    afterAll(async () => {
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`);
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(`${schema}"; --`)} CASCADE`);
      await engine.close();
    });

    it("binds parameters instead of pasting them", async () => {
      const rows = await engine.query(
        "SELECT CAST($1 AS INTEGER) + 1 AS n, CAST($2 AS VARCHAR) AS s, CAST($3 AS BIGINT) AS b, CAST($4 AS VARCHAR) IS NULL AS is_missing",
        [41, "x'); DROP TABLE y; --", 2n ** 60n, null],
      );
      expect(rows).toEqual([{ n: 42, s: "x'); DROP TABLE y; --", b: 2n ** 60n, is_missing: true }]);
    });

    it("runs statements and reports rows changed", async () => {
      await engine.createTable(t("counted"), { fields: [{ name: "v", type: "integer" }] });
      expect(await engine.run(`INSERT INTO ${q("counted")} VALUES (1), (2), (3)`)).toBe(3);
      expect(await engine.run(`UPDATE ${q("counted")} SET v = v + 1 WHERE v >= $1`, [2])).toBe(2);
      expect(await engine.query(`SELECT v FROM ${q("counted")} ORDER BY v`)).toEqual([
        { v: 1 },
        { v: 3 },
        { v: 4 },
      ]);
    });

    it("streams large results in several batches and empty results as one empty batch", async () => {
      const n = 5000;
      const ids = Array.from({ length: n }, (_, i) => i);
      await engine.createTable(t("many"), { fields: [{ name: "id", type: "integer" }] });
      expect(
        await engine.load(t("many"), [
          { schema: { fields: [{ name: "id", type: "integer" }] }, columns: [ids], numRows: n },
        ]),
      ).toBe(n);
      const sizes: number[] = [];
      const seen: unknown[] = [];
      for await (const b of engine.stream(`SELECT id FROM ${q("many")} ORDER BY id`, [], {
        batchSize: 2048,
      })) {
        sizes.push(b.numRows);
        expect(b.columns[0]).toHaveLength(b.numRows);
        seen.push(...b.columns[0]!);
      }
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual(ids);
      const empty: RecordBatch[] = [];
      for await (const b of engine.stream(
        `SELECT id, CAST(id AS VARCHAR) AS s FROM ${q("many")} WHERE id < $1`,
        [0],
      ))
        empty.push(b);
      expect(empty).toHaveLength(1);
      expect(empty[0]!.numRows).toBe(0);
      expect(empty[0]!.schema.fields.map((f) => [f.name, f.type])).toEqual([
        ["id", "integer"],
        ["s", "varchar"],
      ]);
    });

    it("stops cleanly when a stream is abandoned", async () => {
      let batches = 0;
      for await (const _ of engine.stream(`SELECT id FROM ${q("many")}`, [], { batchSize: 1000 })) {
        batches++;
        break;
      }
      expect(batches).toBe(1);
      expect(await engine.query(`SELECT count(*) AS n FROM ${q("many")}`)).toEqual([{ n: 5000 }]);
    });

    it("round-trips every logical type through createTable and describe", async () => {
      await engine.createTable(t("typed"), ALL_TYPES, { primaryKey: ["id"] });
      const described = await engine.describe(t("typed"));
      expect(described?.fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable }))).toEqual(
        ALL_TYPES.fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable ?? true })),
      );
      expect(await engine.describe(t("no_such_table"))).toBeUndefined();
      await expect(engine.run(`INSERT INTO ${q("typed")} (id) VALUES (1), (1)`)).rejects.toBeInstanceOf(
        WeirError,
      );
    });

    it("bulk-loads NULLs, unicode and characters that break encoders, exactly", async () => {
      const rows = allTypeRows(40);
      const batch = batchFromRows(ALL_TYPES, rows);
      await engine.createTable(t("loaded"), ALL_TYPES);
      expect(await engine.load(t("loaded"), [batch])).toBe(40);
      expectSameRows(await engine.query(`SELECT * FROM ${q("loaded")} ORDER BY id`), rows);
      const streamed = await collectBatches(engine.stream(`SELECT * FROM ${q("loaded")} ORDER BY id`));
      expectSameRows(streamed, rows);
      const nulls = await engine.query(
        `SELECT count(*) AS n FROM ${q("loaded")} WHERE label = '' AND label IS NOT NULL`,
      );
      expect(nulls).toEqual([{ n: 3 }]);
    });

    it("refuses a batch column the table does not have", async () => {
      const bad = batchFromRows({ fields: [{ name: "nope", type: "integer" }] }, [{ nope: 1 }]);
      await expect(engine.load(t("loaded"), [bad])).rejects.toMatchObject({ code: "SCHEMA_MISMATCH" });
    });

    it("commits a transaction and rolls back a failed one, leaving the table unchanged", async () => {
      await engine.createTable(t("tx"), { fields: [{ name: "v", type: "integer" }] });
      await engine.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${q("tx")} VALUES (1)`);
        expect(await tx.query(`SELECT count(*) AS n FROM ${q("tx")}`)).toEqual([{ n: 1 }]);
        // Another connection does not see uncommitted rows.
        expect(await engine.query(`SELECT count(*) AS n FROM ${q("tx")}`)).toEqual([{ n: 0 }]);
      });
      await expect(
        engine.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${q("tx")} VALUES (2)`);
          await tx.load(t("tx"), [batchFromRows({ fields: [{ name: "v", type: "integer" }] }, [{ v: 3 }])]);
          await tx.createTable(t("tx_created"), { fields: [{ name: "v", type: "integer" }] });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await engine.query(`SELECT v FROM ${q("tx")}`)).toEqual([{ v: 1 }]);
      expect(await engine.describe(t("tx_created"))).toBeUndefined();
    });

    statementConformance(() => ({ engine, schema }));

    describe("writeTable", () => {
      const s: Schema = {
        fields: [
          { name: "id", type: "integer" },
          { name: "part", type: "varchar" },
          { name: "v", type: "varchar" },
        ],
      };
      const batch = (rows: Row[]) => batchFromRows(s, rows);
      const read = (name: string) => engine.query(`SELECT id, part, v FROM ${q(name)} ORDER BY id, v`);

      it("appends and overwrites, creating the table when missing", async () => {
        const r1 = await writeTable(
          engine,
          t("w_append"),
          { batches: [batch([{ id: 1, part: "a", v: "x" }])] },
          { mode: "append" },
        );
        expect(r1.rowsWritten).toBe(1);
        await writeTable(
          engine,
          t("w_append"),
          { batches: generate([batch([{ id: 2, part: "b", v: "y" }])]) },
          { mode: "append" },
        );
        expect(await read("w_append")).toEqual([
          { id: 1, part: "a", v: "x" },
          { id: 2, part: "b", v: "y" },
        ]);
        const r3 = await writeTable(
          engine,
          t("w_append"),
          { batches: [batch([{ id: 9, part: "z", v: "z" }])] },
          { mode: "overwrite" },
        );
        expect(r3.rowsWritten).toBe(1);
        expect(await read("w_append")).toEqual([{ id: 9, part: "z", v: "z" }]);
      });

      it("overwrites only the partitions present in the input, NULL matching NULL", async () => {
        const initial = [
          { id: 1, part: "a", v: "old" },
          { id: 2, part: "b", v: "old" },
          { id: 3, part: null, v: "old" },
        ];
        await writeTable(engine, t("w_part"), { batches: [batch(initial)] }, { mode: "append" });
        const r = await writeTable(
          engine,
          t("w_part"),
          {
            batches: [
              batch([
                { id: 4, part: "b", v: "new" },
                { id: 5, part: null, v: "new" },
              ]),
            ],
          },
          { mode: "overwrite-partition", partitionColumns: ["part"] },
        );
        expect(r.rowsWritten).toBe(2);
        expect(await read("w_part")).toEqual([
          { id: 1, part: "a", v: "old" },
          { id: 4, part: "b", v: "new" },
          { id: 5, part: null, v: "new" },
        ]);
      });

      it("upserts by key, the last duplicate winning, and is idempotent", async () => {
        await writeTable(
          engine,
          t("w_up"),
          {
            batches: [
              batch([
                { id: 1, part: "a", v: "one" },
                { id: 2, part: "a", v: "two" },
              ]),
            ],
          },
          { mode: "upsert", key: ["id"] },
        );
        const input = [
          { id: 2, part: "b", v: "first" },
          { id: 3, part: "b", v: "three" },
          { id: 2, part: "c", v: "last" },
        ];
        for (let i = 0; i < 2; i++) {
          const r = await writeTable(
            engine,
            t("w_up"),
            { batches: generate([batch(input.slice(0, 2)), batch(input.slice(2))]) },
            { mode: "upsert", key: ["id"] },
          );
          expect(r.rowsWritten).toBe(2);
        }
        expect(await read("w_up")).toEqual([
          { id: 1, part: "a", v: "one" },
          { id: 2, part: "c", v: "last" },
          { id: 3, part: "b", v: "three" },
        ]);
        await expect(
          writeTable(
            engine,
            t("w_up"),
            {
              batches: [
                batch([
                  { id: null, part: "x", v: "x" },
                  { id: 1, part: "x", v: "changed" },
                ]),
              ],
            },
            { mode: "upsert", key: ["id"] },
          ),
        ).rejects.toMatchObject({ code: "SCHEMA_MISMATCH" });
        expect(await read("w_up")).toHaveLength(3);
      });

      it("upserts into an existing table without a key by giving it a unique key first", async () => {
        await engine.createTable(t("w_nokey"), s);
        await engine.load(t("w_nokey"), [
          batch([
            { id: 1, part: "a", v: "old" },
            { id: null, part: "n", v: "null key" },
          ]),
        ]);
        expect(await hasUniqueKey(engine, t("w_nokey"), ["id"])).toBe(false);
        for (const v of ["new", "newer"]) {
          await writeTable(
            engine,
            t("w_nokey"),
            {
              batches: [
                batch([
                  { id: 1, part: "a", v },
                  { id: 2, part: "b", v },
                ]),
              ],
            },
            { mode: "upsert", key: ["id"] },
          );
        }
        expect(await read("w_nokey")).toEqual([
          { id: 1, part: "a", v: "newer" },
          { id: 2, part: "b", v: "newer" },
          { id: null, part: "n", v: "null key" },
        ]);
        expect(await hasUniqueKey(engine, t("w_nokey"), ["id"])).toBe(true);
        // The key now holds for every writer: a plain duplicate insert is refused.
        await expect(
          engine.run(`INSERT INTO ${q("w_nokey")} (id, v) VALUES (1, 'dup')`),
        ).rejects.toBeInstanceOf(WeirError);
      });

      it("uses a unique index the table already has on the key columns, in any order", async () => {
        await engine.createTable(t("w_ownkey"), s);
        await engine.run(`CREATE UNIQUE INDEX w_ownkey_ix ON ${q("w_ownkey")} (v, id)`);
        await writeTable(
          engine,
          t("w_ownkey"),
          { batches: [batch([{ id: 1, part: "a", v: "x" }])] },
          { mode: "upsert", key: ["id", "v"] },
        );
        await writeTable(
          engine,
          t("w_ownkey"),
          { batches: [batch([{ id: 1, part: "b", v: "x" }])] },
          { mode: "upsert", key: ["id", "v"] },
        );
        expect(await read("w_ownkey")).toEqual([{ id: 1, part: "b", v: "x" }]);
        const { sql, params } = engine.dialect.uniqueKeys(t("w_ownkey"));
        const keyNames = new Set((await engine.query(sql, params)).map((r) => r.key_name));
        expect(keyNames.size).toBe(1);
      });

      it("refuses an upsert into a table whose rows already repeat the key, naming one", async () => {
        await engine.createTable(t("w_dupkey"), s);
        const rows = [
          { id: 7, part: "a", v: "one" },
          { id: 7, part: "a", v: "two" },
          { id: 8, part: "a", v: "three" },
        ];
        await engine.load(t("w_dupkey"), [batch(rows)]);
        const error = await writeTable(
          engine,
          t("w_dupkey"),
          { batches: [batch([{ id: 8, part: "b", v: "changed" }])] },
          { mode: "upsert", key: ["id"] },
        ).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: "SCHEMA_MISMATCH",
          details: { table: `${schema}.w_dupkey`, key: ["id"], duplicate: { id: 7 }, rows: 2 },
        });
        expect(String((error as Error).message)).toMatch(/w_dupkey.*"id".*2 rows have "id" = 7/);
        expect(await read("w_dupkey")).toEqual(rows);
        expect(await hasUniqueKey(engine, t("w_dupkey"), ["id"])).toBe(false);
      });

      it("writes a query on the same engine in place, for every mode", async () => {
        await writeTable(
          engine,
          t("w_src"),
          {
            batches: [
              batch([
                { id: 1, part: "a", v: "s1" },
                { id: 2, part: "b", v: "s2" },
                { id: 2, part: "b", v: "s2b" },
              ]),
            ],
          },
          { mode: "append" },
        );
        const sql = `SELECT id, part, v FROM ${q("w_src")} WHERE id >= $1`;
        const input = { engine, sql, params: [1] };
        expect((await writeTable(engine, t("w_sql"), input, { mode: "append" })).rowsWritten).toBe(3);
        expect((await writeTable(engine, t("w_sql"), input, { mode: "overwrite" })).rowsWritten).toBe(3);
        expect(await read("w_sql")).toHaveLength(3);
        await writeTable(
          engine,
          t("w_sql"),
          { engine, sql: `SELECT 7 AS id, 'b' AS part, 'p' AS v` },
          { mode: "overwrite-partition", partitionColumns: ["part"] },
        );
        expect(await read("w_sql")).toEqual([
          { id: 1, part: "a", v: "s1" },
          { id: 7, part: "b", v: "p" },
        ]);
        const up = await writeTable(engine, t("w_sql_up"), input, { mode: "upsert", key: ["id"] });
        expect(up.rowsWritten).toBe(2);
        expect(await read("w_sql_up")).toHaveLength(2);
        // A first load with unique keys goes straight in (no stage); the key is still the
        // primary key, so a later upsert updates in place.
        const unique = { engine, sql: `SELECT id, part, v FROM ${q("w_src")} WHERE v <> 's2b'` };
        expect(
          (await writeTable(engine, t("w_sql_up1"), unique, { mode: "upsert", key: ["id"] })).rowsWritten,
        ).toBe(2);
        await writeTable(engine, t("w_sql_up1"), input, { mode: "upsert", key: ["id"] });
        expect(await read("w_sql_up1")).toHaveLength(2);
        // A NULL key is refused on a first load too, and nothing is created.
        await expect(
          writeTable(
            engine,
            t("w_sql_up2"),
            { engine, sql: "SELECT CAST(NULL AS INTEGER) AS id, 'x' AS v" },
            {
              mode: "upsert",
              key: ["id"],
            },
          ),
        ).rejects.toMatchObject({ code: "SCHEMA_MISMATCH" });
        expect(await engine.describe(t("w_sql_up2"))).toBeUndefined();
      });

      it("leaves the target unchanged when the input fails midway, in every mode", async () => {
        await writeTable(
          engine,
          t("w_fail"),
          { batches: [batch([{ id: 1, part: "a", v: "keep" }])] },
          { mode: "append" },
        );
        for (const mode of ["append", "overwrite", "overwrite-partition", "upsert"] as const) {
          const failing = generate(
            [
              batch([
                { id: 1, part: "a", v: "lost" },
                { id: 2, part: "a", v: "lost" },
              ]),
              batch([]),
            ],
            1,
          );
          await expect(
            writeTable(
              engine,
              t("w_fail"),
              { batches: failing },
              { mode, key: ["id"], partitionColumns: ["part"] },
            ),
          ).rejects.toThrow("source failed mid-stream");
          expect(await read("w_fail")).toEqual([{ id: 1, part: "a", v: "keep" }]);
        }
      });
    });

    it("creates, loads, upserts and overwrites partitions of tables with hostile names", async () => {
      const hostileSchema = `${schema}"; --`;
      const KEY = 'k"ey';
      const names = [`x"; DROP TABLE y; --`, "it's", "semi;colon", "sp ace", "back\\slash", "ünï 名前", "--"];
      const cols: { name: string; type: WeirType }[] = [
        { name: KEY, type: "integer" },
        { name: "p'art", type: "varchar" },
        { name: "v; --", type: "varchar" },
        { name: "\\", type: "varchar" },
      ];
      const hs: Schema = { fields: cols };
      for (const name of names) {
        const table: TableRef = { schema: hostileSchema, name };
        const rows = [
          { [KEY]: 1, "p'art": "a", "v; --": "one", "\\": "x" },
          { [KEY]: 2, "p'art": null, "v; --": "two", "\\": "y" },
        ];
        await writeTable(
          engine,
          table,
          { batches: [batchFromRows(hs, rows)] },
          { mode: "upsert", key: [KEY] },
        );
        await writeTable(
          engine,
          table,
          { batches: [batchFromRows(hs, [{ [KEY]: 2, "p'art": null, "v; --": "TWO", "\\": "z" }])] },
          { mode: "upsert", key: [KEY] },
        );
        await writeTable(
          engine,
          table,
          { batches: [batchFromRows(hs, [{ [KEY]: 3, "p'art": "a", "v; --": "three", "\\": "w" }])] },
          { mode: "overwrite-partition", partitionColumns: ["p'art"] },
        );
        const d = engine.dialect;
        const got = await engine.query(
          `SELECT ${d.quoteIdent(KEY)} AS k, ${d.quoteIdent("v; --")} AS v FROM ${d.quoteTable(table)} ORDER BY 1`,
        );
        expect(got).toEqual([
          { k: 2, v: "TWO" },
          { k: 3, v: "three" },
        ]);
        expect((await engine.describe(table))?.fields.map((f) => f.name)).toEqual(cols.map((c) => c.name));
      }
      // The tables whose names look like injected statements really do exist; nothing was dropped.
      expect(await engine.describe({ schema: hostileSchema, name: "y" })).toBeUndefined();
      expect(await engine.describe(t("counted"))).toBeDefined();
    });
  });
}

/** Identifiers that break SQL built by string concatenation. */
export const HOSTILE_NAMES = [
  `x"; DROP TABLE y; --`,
  `"`,
  `""`,
  "'",
  "it's",
  ";",
  "--",
  "/* c */",
  "sp ace",
  "back\\slash",
  "ünï 名前 🎉",
  " ",
  "select",
];

/**
 * Runs every generator method of the engine's dialect with hostile names and executes the
 * SQL: a table called `x"; DROP TABLE y; --` is created, written, upserted,
 * partition-overwritten and dropped, and a table called `y` is never touched.
 */
export async function dialectScenario(engine: Engine, schemaName: string): Promise<void> {
  const d = engine.dialect;
  const canary: TableRef = { schema: schemaName, name: "y" };
  await engine.run(d.createSchema(schemaName));
  await engine.run(d.createTable(canary, { fields: [{ name: "v", type: "integer" }] }));
  await engine.run(`INSERT INTO ${d.quoteTable(canary)} VALUES (1)`);
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const target: TableRef = { schema: schemaName, name };
    const source: TableRef = { schema: schemaName, name: `${name}_src` };
    const k = HOSTILE_NAMES[(i + 1) % HOSTILE_NAMES.length]!;
    const p = HOSTILE_NAMES[(i + 2) % HOSTILE_NAMES.length]!;
    const v = HOSTILE_NAMES[(i + 3) % HOSTILE_NAMES.length]!;
    const s: Schema = {
      fields: [
        { name: k, type: "integer", nullable: false },
        { name: p, type: "varchar" },
        { name: v, type: "varchar" },
      ],
    };
    const cols = [k, p, v];
    await engine.run(d.createTable(target, s, { primaryKey: [k] }));
    await engine.run(d.createTable(source, s, { ifNotExists: true }));
    const lit = (x: string | null) => d.quoteLiteral(x);
    await engine.run(
      d.insertSelect(
        target,
        cols,
        `SELECT 1, ${lit(name)}, ${lit("old")} UNION ALL SELECT 2, NULL, ${lit("old")}`,
      ),
    );
    await engine.run(
      d.insertSelect(
        source,
        cols,
        `SELECT 2, NULL, ${lit(`new ${name}`)} UNION ALL SELECT 3, ${lit(name)}, ${lit("new")}`,
      ),
    );
    for (const sql of d.upsert(target, source, cols, [k])) await engine.run(sql);
    const afterUpsert = await engine.query(
      `SELECT ${d.quoteIdent(k)} AS k, ${d.quoteIdent(v)} AS v FROM ${d.quoteTable(target)} ORDER BY 1`,
    );
    expect(afterUpsert).toEqual([
      { k: 1, v: "old" },
      { k: 2, v: `new ${name}` },
      { k: 3, v: "new" },
    ]);
    await engine.run(`DELETE FROM ${d.quoteTable(source)} WHERE ${d.quoteIdent(k)} = 3`);
    await engine.run(`UPDATE ${d.quoteTable(source)} SET ${d.quoteIdent(k)} = 4`);
    for (const sql of d.overwritePartitions(target, source, cols, [p])) await engine.run(sql);
    const afterOverwrite = await engine.query(
      `SELECT ${d.quoteIdent(k)} AS k, ${d.quoteIdent(p)} AS p FROM ${d.quoteTable(target)} ORDER BY 1`,
    );
    // The NULL partition (row 2) was replaced by the source's NULL-partition row 4.
    expect(afterOverwrite).toEqual([
      { k: 1, p: name },
      { k: 3, p: name },
      { k: 4, p: null },
    ]);
    expect((await engine.describe(target))?.fields.map((f) => f.name)).toEqual(cols);
    await engine.run(d.dropTable(source));
    await engine.run(d.dropTable(target));
    expect(await engine.describe(target)).toBeUndefined();
  }
  expect(await engine.query(`SELECT v FROM ${d.quoteTable(canary)}`)).toEqual([{ v: 1 }]);
  await engine.run(`DROP SCHEMA ${d.quoteIdent(schemaName)} CASCADE`);
}
