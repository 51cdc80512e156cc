import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import {
  AGGREGATE_STATE,
  aggregateState,
  ensureLedger,
  FACT_LOADS,
  factLoadsSince,
  latestSnapshot,
  ledgerTableName,
  nextFactLoadSeq,
  recordFactLoad,
  recordSnapshot,
  SNAPSHOT_LOADS,
  setAggregateState,
  snapshotAt,
} from "./index.js";

/** Ledger rows are shared by every test on the server: each run uses names of its own. */
const PREFIX = `ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

function ledgerSuite(name: string, open: () => Promise<Engine>): void {
  describe(`warehouse ledger on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await open();
      await ensureLedger(engine);
      // Idempotent: a second call finds the tables.
      await ensureLedger(engine);
    });
    afterAll(async () => {
      if (!engine) return;
      for (const [table, column] of [
        [SNAPSHOT_LOADS, "table_name"],
        [FACT_LOADS, "table_name"],
        [AGGREGATE_STATE, "aggregate_name"],
      ] as const) {
        await engine.run(`DELETE FROM ${engine.dialect.quoteTable(table)} WHERE ${column} LIKE $1`, [
          `${PREFIX}%`,
        ]);
      }
      await engine.close();
    });

    it("names tables by their qualified label", () => {
      expect(ledgerTableName({ schema: "wh", name: "dim_users" })).toBe("wh.dim_users");
      expect(ledgerTableName({ name: "dim_users" })).toBe("dim_users");
    });

    it("numbers fact loads per table and lists the values replaced since a load", async () => {
      const facts = { schema: PREFIX, name: "fact_events" };
      const other = `${PREFIX}.other`;
      expect(await nextFactLoadSeq(engine, facts)).toBe(1);
      expect(await recordFactLoad(engine, facts, ["2024-06-02", "2024-06-01", "2024-06-02"])).toBe(1);
      expect(await recordFactLoad(engine, other, ["x"])).toBe(1);
      expect(await recordFactLoad(engine, facts, ["2024-06-03", "2024-06-01"])).toBe(2);
      expect(await nextFactLoadSeq(engine, facts)).toBe(3);

      expect(await factLoadsSince(engine, facts, 0)).toEqual({
        values: ["2024-06-01", "2024-06-02", "2024-06-03"],
        maxSeq: 2,
      });
      expect(await factLoadsSince(engine, facts, 1)).toEqual({
        values: ["2024-06-01", "2024-06-03"],
        maxSeq: 2,
      });
      expect(await factLoadsSince(engine, facts, 2)).toEqual({ values: [], maxSeq: 2 });
    });

    it("records nothing when the load's transaction rolls back", async () => {
      const facts = `${PREFIX}.rolled_back`;
      await expect(
        engine.transaction(async (tx) => {
          await recordFactLoad(tx, facts, ["2024-06-01"]);
          await setAggregateState(tx, `${PREFIX}_rolled_back`, 1);
          throw new Error("the load failed");
        }),
      ).rejects.toThrow("the load failed");
      expect(await factLoadsSince(engine, facts, 0)).toEqual({ values: [], maxSeq: 0 });
      expect(await aggregateState(engine, `${PREFIX}_rolled_back`)).toBeUndefined();
    });

    it("keeps each aggregate's last load, overwritten by the next refresh", async () => {
      const agg = `${PREFIX}_daily`;
      expect(await aggregateState(engine, agg)).toBeUndefined();
      await setAggregateState(engine, agg, 3);
      await setAggregateState(engine, agg, 5);
      expect(await aggregateState(engine, agg)).toBe(5);
      expect(await aggregateState(engine, `${PREFIX}_other`)).toBeUndefined();
    });

    it("keeps one snapshot row per date, counting loads in order", async () => {
      const dim = `${PREFIX}.dim_users`;
      expect(await latestSnapshot(engine, dim)).toBeUndefined();
      expect(await recordSnapshot(engine, dim, { asOf: "2024-06-02", contentHash: "a" })).toBe(1);
      expect(await recordSnapshot(engine, dim, { asOf: "2024-06-01", contentHash: "b" })).toBe(2);
      expect(await latestSnapshot(engine, dim)).toEqual({
        asOf: "2024-06-02",
        contentHash: "a",
        loadedAtSeq: 1,
      });
      // The same date again (a type 1 reload) replaces its row.
      expect(await recordSnapshot(engine, dim, { asOf: "2024-06-02", contentHash: "c" })).toBe(3);
      expect(await snapshotAt(engine, dim, "2024-06-02")).toEqual({
        asOf: "2024-06-02",
        contentHash: "c",
        loadedAtSeq: 3,
      });
      expect(await snapshotAt(engine, dim, "2024-06-01")).toMatchObject({ contentHash: "b" });
      expect(await snapshotAt(engine, dim, "2024-06-03")).toBeUndefined();
    });
  });
}

ledgerSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  ledgerSuite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
