import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { quarantineTable } from "../../src/quality/quarantine.js";
import { compareWithFullRecompute } from "../../src/warehouse/aggregates/compare-with-full-recompute.js";
import { refreshAggregate } from "../../src/warehouse/aggregates/refresh-aggregate.js";
import { tableContentHash } from "../../src/warehouse/content-hash.js";
import { createModelTable } from "../../src/warehouse/ddl/create-table-sql.js";
import { tableDefinition } from "../../src/warehouse/ddl/table-definition.js";
import { loadFacts } from "../../src/warehouse/facts/load-facts.js";
import { repairUnknownMembers } from "../../src/warehouse/facts/repair-unknown-members.js";
import {
  createFactTables,
  type Event,
  factModels,
  insertVersions,
  stageEvents,
  USER_A,
  USER_B,
  USER_C,
} from "../../src/warehouse/facts/testing/fact-fixtures.js";
import { AGGREGATE_STATE, FACT_LOADS } from "../../src/warehouse/ledger/index.js";
import { defineAggregate } from "../../src/warehouse/model/define-aggregate.js";
import { type DimensionModel, defineDimension } from "../../src/warehouse/model/define-dimension.js";
import { defineFact, type FactModel } from "../../src/warehouse/model/define-fact.js";
import { modelTable } from "../../src/warehouse/model/define-warehouse.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/** A's segment changes at 2024-06-03 (key 1 → 2); B has one open version (key 3). */
const VERSIONS = [
  { key: 1, user: USER_A, segment: "free", from: "2024-06-01", to: "2024-06-03" },
  { key: 2, user: USER_A, segment: "paid", from: "2024-06-03", to: null },
  { key: 3, user: USER_B, segment: "free", from: "2024-06-01", to: null },
];

function factSuite(name: string, open: () => Promise<Engine>): void {
  describe(`loadFacts on ${name}`, () => {
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const schema = `wh_facts_${suffix}`;
    const hostileSchema = `we"ird_${suffix}`;
    const facts: FactModel[] = [];
    let engine: Engine;
    let n = 0;

    /** Fresh tables for one test: a dimension with VERSIONS and an empty fact. */
    async function setup(
      options: { schema?: string; fact?: string; dim?: string; unknownMember?: boolean } = {},
    ): Promise<{ dim: DimensionModel; fact: FactModel }> {
      n++;
      const models = factModels(
        options.schema ?? schema,
        { dim: options.dim ?? `dim_users_${n}`, fact: `${options.fact ?? "fact_events"}_${suffix}_${n}` },
        options,
      );
      facts.push(models.fact);
      await createFactTables(engine, models);
      await insertVersions(engine, models.dim, VERSIONS);
      return models;
    }

    const stage = (events: Event[], table = `staged_${n}`) => stageEvents(engine, schema, table, events);

    /** event_id → user_key, in event order. */
    async function keys(fact: FactModel): Promise<Record<number, number>> {
      const q = (c: string) => engine.dialect.quoteIdent(c);
      const rows = await engine.query<{ id: unknown; k: unknown }>(
        `SELECT ${q("event_id")} AS id, ${q("user_key")} AS k FROM ${engine.dialect.quoteTable(modelTable(fact))} ORDER BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [Number(r.id), Number(r.k)]));
    }

    beforeAll(async () => {
      engine = await open();
      await engine.createSchema(schema);
    });
    afterAll(async () => {
      if (!engine) return;
      const d = engine.dialect;
      for (const s of [schema, hostileSchema])
        await engine.run(`DROP SCHEMA IF EXISTS ${d.quoteIdent(s)} CASCADE`);
      for (const f of facts) {
        await engine.run(d.dropTable(quarantineTable(f.name))).catch(() => 0);
        await engine
          .run(`DELETE FROM ${d.quoteTable(FACT_LOADS)} WHERE table_name LIKE $1`, [`%${suffix}%`])
          .catch(() => 0);
      }
      await engine
        .run(`DELETE FROM ${d.quoteTable(AGGREGATE_STATE)} WHERE aggregate_name LIKE $1`, [`%${suffix}%`])
        .catch(() => 0);
      await engine.close();
    });

    it("keys each event to the version in effect at its time, the first version before any", async () => {
      const { fact } = await setup();
      const input = await stage([
        { id: 1, user: USER_A, at: "2024-06-02T23:59:59.999Z" }, // the old version's last instant
        { id: 2, user: USER_A, at: "2024-06-03T00:00:00Z" }, // the change: the new version
        { id: 3, user: USER_A, at: "2024-06-05T12:00:00Z" },
        { id: 4, user: USER_A, at: "2024-05-20T08:00:00Z" }, // before A's first version: early-arriving
        { id: 5, user: USER_B, at: "2024-06-02T10:00:00Z" },
      ]);
      const result = await loadFacts(engine, fact, input);
      expect(await keys(fact)).toEqual({ 1: 1, 2: 2, 3: 2, 4: 1, 5: 3 });
      expect(result).toMatchObject({
        rows: 5,
        duplicatesRemoved: 0,
        quarantined: 0,
        unknown: { user_key: 0 },
        replaced: [20240520, 20240602, 20240603, 20240605],
      });
      expect(result.loadSeq).toBe(1);
    });

    it("keys by start order when versions share a start, and past a closed last version", async () => {
      const { dim, fact } = await setup();
      // C's versions by (start, key): 4 and 5 both start 06-04, 6 and 8 both 06-06; 8 closed
      // at 06-08 (a hard delete). Ranges: 4 [-∞, 06-04), 5 [06-04, 06-06), 6 empty, 8 [06-06, +∞).
      // DuckDB's ASOF join picks among equal starts arbitrarily: version 6 must never win.
      await insertVersions(engine, dim, [
        { key: 8, user: USER_C, segment: "d", from: "2024-06-06", to: "2024-06-08" },
        { key: 6, user: USER_C, segment: "c", from: "2024-06-06", to: "2024-06-06" },
        { key: 5, user: USER_C, segment: "b", from: "2024-06-04", to: "2024-06-06" },
        { key: 4, user: USER_C, segment: "a", from: "2024-06-04", to: "2024-06-04" },
      ]);
      const input = await stage([
        { id: 1, user: USER_C, at: "2024-06-01T00:00:00Z" }, // before any: the first (4)
        { id: 2, user: USER_C, at: "2024-06-03T23:59:59.999999Z" },
        { id: 3, user: USER_C, at: "2024-06-04T00:00:00Z" }, // 5 (4's range ends here)
        { id: 4, user: USER_C, at: "2024-06-05T23:00:00Z" },
        { id: 5, user: USER_C, at: "2024-06-06T00:00:00Z" }, // 8 (6's range is empty)
        { id: 6, user: USER_C, at: "2024-06-20T00:00:00Z" }, // after the closed last version: it
        { id: 7, user: USER_B, at: "2024-06-06T00:00:00Z" },
        { id: 8, user: null, at: "2024-06-06T00:00:00Z" }, // no natural key: unknown
      ]);
      const result = await loadFacts(engine, fact, input);
      expect(await keys(fact)).toEqual({ 1: 4, 2: 4, 3: 5, 4: 5, 5: 8, 6: 8, 7: 3, 8: -1 });
      expect(result.unknown).toEqual({ user_key: 1 });
    });

    it("keys an absent user to the unknown member and re-keys it once the user arrives", async () => {
      const { dim, fact } = await setup();
      const input = await stage([
        { id: 1, user: USER_C, at: "2024-06-02T10:00:00Z" },
        { id: 2, user: USER_C, at: "2024-06-06T10:00:00Z" },
        { id: 3, user: USER_B, at: "2024-06-06T10:00:00Z" },
      ]);
      const loaded = await loadFacts(engine, fact, input);
      expect(loaded.unknown).toEqual({ user_key: 2 });
      expect(await keys(fact)).toEqual({ 1: -1, 2: -1, 3: 3 });
      // Nothing to repair yet: C has no version.
      expect(await repairUnknownMembers(engine, fact)).toEqual({
        rekeyed: { user_key: 0 },
        values: [],
        loadSeq: undefined,
      });

      // C's snapshot arrives: first seen 2024-06-04, changed 2024-06-05.
      await insertVersions(engine, dim, [
        { key: 4, user: USER_C, segment: "free", from: "2024-06-04", to: "2024-06-05" },
        { key: 5, user: USER_C, segment: "paid", from: "2024-06-05", to: null },
      ]);
      const repaired = await repairUnknownMembers(engine, fact);
      // Event 1 precedes C's first version (the first version); event 2 is in the second's time.
      expect(await keys(fact)).toEqual({ 1: 4, 2: 5, 3: 3 });
      expect(repaired).toEqual({ rekeyed: { user_key: 2 }, values: [20240602, 20240606], loadSeq: 2 });
      // The repair is a fact load of the days it touched, so aggregates refresh them.
      const ledger = await engine.query<{ load_seq: unknown; load_value: string }>(
        `SELECT load_seq, load_value FROM ${engine.dialect.quoteTable(FACT_LOADS)} WHERE table_name = $1 ORDER BY 1, 2`,
        [`${schema}.${fact.name}`],
      );
      expect(ledger.map((r) => `${Number(r.load_seq)}:${r.load_value}`)).toEqual([
        "1:20240602",
        "1:20240606",
        "2:20240602",
        "2:20240606",
      ]);
      expect((await repairUnknownMembers(engine, fact)).rekeyed).toEqual({ user_key: 0 });
    });

    it("repairs earlier facts in the load's own transaction with repair: true", async () => {
      const { dim, fact } = await setup();
      await loadFacts(engine, fact, await stage([{ id: 1, user: USER_C, at: "2024-06-02T10:00:00Z" }]));
      expect(await keys(fact)).toEqual({ 1: -1 });
      await insertVersions(engine, dim, [
        { key: 4, user: USER_C, segment: "free", from: "2024-06-04", to: null },
      ]);
      const loaded = await loadFacts(
        engine,
        fact,
        await stage([{ id: 2, user: USER_C, at: "2024-06-06T10:00:00Z" }]),
        {
          repair: true,
        },
      );
      expect(await keys(fact)).toEqual({ 1: 4, 2: 4 });
      // The load is seq 2 and the repair of 2024-06-02, recorded in the same transaction, seq 3.
      expect(loaded).toMatchObject({
        loadSeq: 2,
        repaired: { rekeyed: { user_key: 1 }, values: [20240602], loadSeq: 3 },
      });
    });

    it("removes duplicate grain keys deterministically, whatever the input order", async () => {
      const { fact } = await setup();
      // Byte order keeps "Zebra" before "apple" (a linguistic collation would not).
      const x = { id: 7, user: USER_A, at: "2024-06-02T10:00:00Z", type: "apple" };
      const y = { id: 7, user: USER_A, at: "2024-06-02T10:00:00Z", type: "Zebra" };
      const other = { id: 8, user: USER_B, at: "2024-06-02T11:00:00Z" };
      const kept = async () =>
        engine.query<{ t: string }>(
          `SELECT event_type AS t FROM ${engine.dialect.quoteTable(modelTable(fact))} WHERE event_id = 7`,
        );
      const first = await loadFacts(engine, fact, await stage([x, other, y], `dup_a_${n}`));
      expect(first).toMatchObject({ rows: 2, duplicatesRemoved: 1 });
      expect(await kept()).toEqual([{ t: "Zebra" }]);
      const hash = await tableContentHash(engine, modelTable(fact));
      const second = await loadFacts(engine, fact, await stage([y, other, x], `dup_b_${n}`));
      expect(second).toMatchObject({ rows: 2, duplicatesRemoved: 1 });
      expect(await tableContentHash(engine, modelTable(fact))).toEqual(hash);
    });

    it("re-loading a day replaces it and leaves the table as it was; other days are untouched", async () => {
      const { fact } = await setup();
      const day2 = await stage(
        [1, 2, 3].map((id) => ({ id, user: USER_A, at: `2024-06-02T0${id}:00:00Z` })),
        `day2_${n}`,
      );
      const day3 = await stage([{ id: 10, user: USER_B, at: "2024-06-03T01:00:00Z" }], `day3_${n}`);
      await loadFacts(engine, fact, day2);
      await loadFacts(engine, fact, day3);
      const before = await tableContentHash(engine, modelTable(fact));
      expect(before.rows).toBe(4);
      const again = await loadFacts(engine, fact, day2);
      expect(again).toMatchObject({ rows: 3, replaced: [20240602], loadSeq: 3 });
      expect(await tableContentHash(engine, modelTable(fact))).toEqual(before);

      // A smaller re-load of day 2 drops the rows it no longer holds.
      await loadFacts(
        engine,
        fact,
        await stage([{ id: 2, user: USER_A, at: "2024-06-02T02:00:00Z" }], `d2b_${n}`),
      );
      expect(await keys(fact)).toEqual({ 2: 1, 10: 3 });
      // A load may replace a day the input does not hold (emptied), but not hold a day it does not replace.
      await expect(loadFacts(engine, fact, day3, { replace: [20240602] })).rejects.toMatchObject({
        code: "WAREHOUSE_LOAD_FAILED",
        message: expect.stringContaining("20240603"),
      });
      const emptied = await loadFacts(engine, fact, day3, { replace: ["20240602", 20240603] });
      expect(emptied).toMatchObject({ rows: 1, replaced: [20240602, 20240603] });
      expect(await keys(fact)).toEqual({ 10: 3 });
    });

    it("quarantines rows with a NULL grain or time, with counts that add up", async () => {
      const { fact } = await setup();
      const input = await stage([
        { id: 1, user: USER_A, at: "2024-06-02T10:00:00Z" },
        { id: 1, user: USER_A, at: "2024-06-02T10:00:01Z" },
        { id: 2, user: USER_A, at: null },
        { id: null, user: USER_B, at: "2024-06-02T10:00:00Z" },
        { id: 3, user: null, at: "2024-06-02T10:00:00Z" }, // no natural key: the unknown member
      ]);
      const run = { runId: "run-1", logicalDate: "2024-06-02" };
      const result = await loadFacts(engine, fact, input, { quarantine: run });
      expect(result).toMatchObject({
        rows: 2,
        duplicatesRemoved: 1,
        quarantined: 2,
        unknown: { user_key: 1 },
      });
      expect(result.rows + result.duplicatesRemoved + result.quarantined).toBe(5);

      const q = quarantineTable(fact.name);
      const read = () =>
        engine.query<{ check: string; reason: string; record: unknown; stage: string; location: string }>(
          `SELECT "check", reason, CAST(record AS ${engine.dialect.typeName("varchar")}) AS record, stage, location ` +
            `FROM ${engine.dialect.quoteTable(q)} ORDER BY 1`,
        );
      const rows = await read();
      expect(rows.map((r) => r.check)).toEqual([
        "not_null(created_at); not_null(date_key)",
        "not_null(event_id)",
      ]);
      expect(rows[0]!.reason).toMatch(/^created_at is NULL; date_key is NULL: a row of fact /);
      expect(JSON.parse(String(rows[0]!.record))).toMatchObject({ event_id: 2, created_at: null });
      expect(rows[1]!.location).toBe(`${schema}.${fact.name}`);
      // The same run date again replaces its quarantined rows instead of adding to them.
      await loadFacts(engine, fact, input, { quarantine: run });
      expect(await read()).toHaveLength(2);
    });

    it("looks a type 1 dimension up by its key alone, next to an as-of key", async () => {
      const { dim } = await setup();
      const types = defineDimension({
        name: `dim_types_${n}`,
        schema,
        type: 1,
        surrogateKey: "type_key",
        naturalKey: "event_type",
        columns: { event_type: "varchar", label: "varchar" },
      });
      const fact = defineFact({
        name: `fact_two_keys_${suffix}_${n}`,
        schema,
        grain: ["event_id"],
        columns: {
          event_id: "bigint",
          date_key: "integer",
          event_type: "varchar",
          created_at: "timestamptz",
        },
        dimensionKeys: [
          { column: "user_key", dimension: dim, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
          { column: "type_key", dimension: types, naturalKey: { event_type: "event_type" } },
        ],
        loadBy: "date_key",
      });
      facts.push(fact);
      await createFactTables(engine, { dim: types, fact });
      const t = engine.dialect.quoteTable(modelTable(types));
      await engine.run(`INSERT INTO ${t} VALUES (10, 'view', 'View'), (11, 'click', 'Click')`);
      const input = await stage([
        { id: 1, user: USER_A, at: "2024-06-02T10:00:00Z", type: "view" },
        { id: 2, user: USER_A, at: "2024-06-04T10:00:00Z", type: "click" },
        { id: 3, user: USER_B, at: "2024-06-04T10:00:00Z", type: "refund" }, // no such type
      ]);
      const result = await loadFacts(engine, fact, input);
      expect(result.unknown).toEqual({ user_key: 0, type_key: 1 });
      const rows = await engine.query<{ id: unknown; u: unknown; k: unknown }>(
        `SELECT event_id AS id, user_key AS u, type_key AS k FROM ${engine.dialect.quoteTable(modelTable(fact))} ORDER BY 1`,
      );
      expect(rows.map((r) => [Number(r.id), Number(r.u), Number(r.k)])).toEqual([
        [1, 1, 10],
        [2, 2, 11],
        [3, 3, -1],
      ]);
    });

    it("compares times across types: timestamp validity, timestamptz events", async () => {
      const dim = defineDimension({
        name: `dim_ts_${++n}`,
        schema,
        surrogateKey: "user_key",
        naturalKey: "user_id",
        columns: { user_id: "uuid", user_segment: "varchar" },
        validity: { type: "timestamp" },
      });
      const keyed = defineFact({
        name: `fact_ts_${suffix}_${n}`,
        schema,
        grain: ["event_id"],
        columns: {
          event_id: "bigint",
          date_key: "integer",
          event_type: "varchar",
          properties: "json",
          created_at: "timestamptz",
        },
        dimensionKeys: [
          { column: "user_key", dimension: dim, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
        ],
        loadBy: "date_key",
      });
      facts.push(keyed);
      await createFactTables(engine, { dim, fact: keyed });
      const t = engine.dialect.quoteTable(modelTable(dim));
      // A's change at noon (UTC wall clock) on 2024-06-03.
      await engine.run(
        `INSERT INTO ${t} VALUES (1, CAST($1 AS UUID), 'free', CAST('2024-06-01 00:00:00' AS TIMESTAMP), CAST('2024-06-03 12:00:00' AS TIMESTAMP), false, 'h1'), ` +
          `(2, CAST($1 AS UUID), 'paid', CAST('2024-06-03 12:00:00' AS TIMESTAMP), NULL, true, 'h2')`,
        [USER_A],
      );
      const input = await stage([
        { id: 1, user: USER_A, at: "2024-06-03T11:59:59.999999Z" },
        { id: 2, user: USER_A, at: "2024-06-03T14:00:00+02:00" }, // 12:00 UTC
      ]);
      await loadFacts(engine, keyed, input);
      expect(await keys(keyed)).toEqual({ 1: 1, 2: 2 });
    });

    it("fails when a dimension without an unknown member has no version for a key", async () => {
      const { fact } = await setup({ unknownMember: false });
      const input = await stage([{ id: 1, user: USER_C, at: "2024-06-02T10:00:00Z" }]);
      await expect(loadFacts(engine, fact, input)).rejects.toMatchObject({
        code: "WAREHOUSE_LOAD_FAILED",
        message: expect.stringContaining(USER_C),
      });
      expect(await keys(fact)).toEqual({});
    });

    it("works with hostile identifiers", async () => {
      await engine.createSchema(hostileSchema);
      const { dim, fact } = await setup({
        schema: hostileSchema,
        fact: 'fact "x"; --',
        dim: `dim "u"; drop`,
      });
      const input = await stage([
        { id: 1, user: USER_A, at: "2024-06-02T10:00:00Z" },
        { id: 2, user: USER_C, at: "2024-06-03T10:00:00Z" },
      ]);
      expect(await loadFacts(engine, fact, input)).toMatchObject({ rows: 2, unknown: { user_key: 1 } });
      await insertVersions(engine, dim, [
        { key: 9, user: USER_C, segment: "x", from: "2024-06-01", to: null },
      ]);
      expect((await repairUnknownMembers(engine, fact)).rekeyed).toEqual({ user_key: 1 });
      expect(await keys(fact)).toEqual({ 1: 1, 2: 9 });
    });

    it("gives loads of different days run side by side their own load_seq; a refresh misses neither", async () => {
      const { fact } = await setup();
      const agg = defineAggregate({
        name: `agg_daily_${suffix}_${n}`,
        schema,
        from: fact,
        select: `SELECT date_key, user_key, count(*) AS events FROM ${engine.dialect.quoteTable(modelTable(fact))} GROUP BY date_key, user_key`,
        columns: { date_key: "integer", user_key: "bigint", events: "bigint" },
        groupBy: ["date_key", "user_key"],
        incrementalKey: "date_key",
      });
      await createModelTable(engine, tableDefinition(agg, engine.kind));
      const json = engine.dialect.typeName("json");
      // 300 events of one day, A, B and an unknown user in turn.
      const day = (d: number) => ({
        sql: `SELECT CAST(${d} AS BIGINT) * 1000 + i AS event_id,
            CASE i % 3 WHEN 0 THEN CAST('${USER_A}' AS UUID) WHEN 1 THEN CAST('${USER_B}' AS UUID) ELSE CAST('${USER_C}' AS UUID) END AS user_id,
            ${20240600 + d} AS date_key, 'view' AS event_type, CAST('{"n": 1}' AS ${json}) AS properties,
            CAST('2024-06-${String(d).padStart(2, "0")} 00:00:00+00' AS TIMESTAMPTZ) + i * INTERVAL '1 second' AS created_at
          FROM generate_series(1, 300) AS g(i)`,
      });
      await refreshAggregate(engine, agg); // the first refresh, in full, of an empty fact
      const seqs: number[] = [];
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        const [a, , b] = await Promise.all([
          loadFacts(engine, fact, day(2 * round + 1)),
          refreshAggregate(engine, agg),
          loadFacts(engine, fact, day(2 * round + 2)),
        ]);
        // Without serialized writers both loads read the same max(load_seq) on PostgreSQL.
        expect(a!.loadSeq, `round ${round}`).not.toBe(b!.loadSeq);
        seqs.push(a!.loadSeq, b!.loadSeq);
        await refreshAggregate(engine, agg);
        const compare = await compareWithFullRecompute(engine, agg);
        expect(compare, `round ${round}`).toEqual({ equal: true, missing: [], extra: [] });
      }
      expect(new Set(seqs).size).toBe(2 * rounds);
      // Each load_seq names the one day of its load.
      const ledger = await engine.query<{ n: unknown; seqs: unknown }>(
        `SELECT count(*) AS n, count(DISTINCT load_seq) AS seqs FROM ${engine.dialect.quoteTable(FACT_LOADS)} WHERE table_name = $1`,
        [`${schema}.${fact.name}`],
      );
      expect([Number(ledger[0]!.n), Number(ledger[0]!.seqs)]).toEqual([2 * rounds, 2 * rounds]);
      const [days] = await engine.query<{ n: unknown }>(
        `SELECT count(DISTINCT date_key) AS n FROM ${engine.dialect.quoteTable(modelTable(agg))}`,
      );
      expect(Number(days!.n)).toBe(2 * rounds);
    }, 60_000);

    if (name === "PostgreSQL") {
      it("creates one partition per month a load needs", async () => {
        const { fact } = await setup();
        const input = await stage([
          { id: 1, user: USER_A, at: "2024-06-30T23:00:00Z" },
          { id: 2, user: USER_A, at: "2024-07-01T01:00:00Z" },
        ]);
        await loadFacts(engine, fact, input);
        const parts = await engine.query<{ n: unknown }>(
          "SELECT COUNT(*) AS n FROM pg_inherits WHERE inhparent = to_regclass($1)",
          [engine.dialect.quoteTable(modelTable(fact))],
        );
        expect(Number(parts[0]!.n)).toBe(2);
        expect(await keys(fact)).toEqual({ 1: 2, 2: 2 });
      });
    }
  });
}

factSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  factSuite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
