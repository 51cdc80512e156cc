import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dimUsersSpec } from "../../examples/warehouse/warehouse.js";
import { CsvSource } from "../../src/connectors/csv-source.js";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { tableContentHash } from "../../src/warehouse/content-hash.js";
import { createModelTable } from "../../src/warehouse/ddl/create-table-sql.js";
import { tableDefinition } from "../../src/warehouse/ddl/table-definition.js";
import { SNAPSHOT_LOADS } from "../../src/warehouse/ledger/ledger-tables.js";
import { defineDimension } from "../../src/warehouse/model/define-dimension.js";
import { loadSnapshot, type SnapshotLoadResult } from "../../src/warehouse/scd/load-snapshot.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import {
  datagenAvailable,
  datagenUsers,
  type UserSnapshotTruth,
  userSnapshot,
  writeUserSnapshot,
} from "../support/user-snapshots.js";

/**
 * SCD2 over 7 daily user snapshots (datagen's `users`, N = 5000), checked against the
 * generator's ground truth on DuckDB and PostgreSQL, and the two engines against each other.
 */
const N = 5000;
const SEED = 7;
const DAYS = 7;
const SCHEMA = `scd2_it_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;

const dimUsers = defineDimension({
  ...dimUsersSpec,
  schema: SCHEMA,
  // datagen never changes first names: kept as SCD1 so the merge's SCD1 statement runs too.
  scd1: ["first_name"],
});
const DIM = `${SCHEMA}.dim_users`;
const SNAPSHOT_TABLE = { schema: SCHEMA, name: "users_snapshot" };

let dir: string;
const files: string[] = [];
const truth: UserSnapshotTruth[] = [];
/** Each engine's table content hash after the 7 days, and its keys by user. */
const finals: Record<string, { hash: string; rows: number }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-scd2-"));
  for (let day = 0; day < DAYS; day++) {
    const file = join(dir, `users_${day}.csv`);
    truth.push(userSnapshot(N, file, SEED, day));
    files.push(file);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!datagenAvailable())("the builtin user snapshots", () => {
  it("write the same bytes and ground truth as datagen", () => {
    const ours = join(dir, "builtin.csv");
    const theirs = join(dir, "datagen.csv");
    const day = 4;
    expect(writeUserSnapshot(500, ours, 3, day)).toEqual(datagenUsers(500, theirs, 3, day));
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });
});

function scd2Suite(name: string, open: () => Promise<Engine>): void {
  describe(`SCD2 over ${DAYS} daily snapshots on ${name}`, () => {
    let engine: Engine;
    const q = (s: string) => engine.dialect.quoteIdent(s);
    const dim = () => engine.dialect.quoteTable({ schema: SCHEMA, name: "dim_users" });
    const count = async (where: string) => {
      const [r] = await engine.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${dim()} WHERE ${where}`);
      return Number(r!.n);
    };

    beforeAll(async () => {
      engine = await open();
      await engine.createSchema(SCHEMA);
      await createModelTable(engine, tableDefinition(dimUsers, engine.kind));
    });
    afterAll(async () => {
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${q(SCHEMA)} CASCADE`);
      await engine
        .run(`DELETE FROM ${engine.dialect.quoteTable(SNAPSHOT_LOADS)} WHERE table_name = $1`, [DIM])
        .catch(() => 0);
      await engine.close();
    });

    /** Lands day `day`'s CSV in the snapshot table through the CSV source, then loads it. */
    async function loadDay(day: number, asOf = truth[day]!.date): Promise<SnapshotLoadResult> {
      const source = new CsvSource({
        path: files[day]!,
        columns: {
          user_id: "varchar",
          registration_date: "date",
          is_active: "boolean",
          updated_at: "timestamp",
        },
      });
      try {
        const extracted = await source.extract(engine, SNAPSHOT_TABLE, {});
        expect(extracted.rowsLoaded).toBe(truth[day]!.users);
      } finally {
        await source.close();
      }
      return loadSnapshot(engine, dimUsers, SNAPSHOT_TABLE, { asOf });
    }

    it("cuts exactly the versions of datagen's ground truth, day by day", async () => {
      for (let day = 0; day < DAYS; day++) {
        const t = truth[day]!;
        const result = await loadDay(day);
        const expected =
          day === 0
            ? { newKeys: t.users, changed: 0, closed: 0, unchanged: 0 }
            : {
                newKeys: t.new_today,
                changed: t.changed_today,
                closed: t.deleted_today,
                unchanged: t.users - t.new_today - t.changed_today,
              };
        expect({ day, ...result }).toEqual({
          day,
          table: DIM,
          asOf: t.date,
          skipped: false,
          reopened: 0,
          scd1Updated: 0,
          versionsInserted: expected.newKeys + expected.changed,
          ...expected,
        });
      }
    });

    it("holds initial + changed + new versions, one open version per live user", async () => {
      const last = truth[DAYS - 1]!;
      expect(await count("TRUE")).toBe(N + last.changed_total + last.new_total);
      expect(await count(q("is_current"))).toBe(last.users);
      expect(await count(`${q("expiry_date")} IS NULL`)).toBe(last.users);
      // Keys without an open version are exactly the deleted users.
      const [keys] = await engine.query<{ deleted: unknown; doubled: unknown; users: unknown }>(
        `SELECT count(*) FILTER (WHERE open = 0) AS deleted, count(*) FILTER (WHERE open > 1) AS doubled, count(*) AS users
         FROM (SELECT user_id, count(*) FILTER (WHERE is_current) AS open FROM ${dim()} GROUP BY user_id) AS k`,
      );
      expect(Number(keys!.deleted)).toBe(last.deleted_total);
      expect(Number(keys!.doubled)).toBe(0);
      expect(Number(keys!.users)).toBe(N + last.new_total);
      // Versions of a key chain without gaps: each closed one ends where the next begins.
      const [gaps] = await engine.query<{ n: unknown }>(
        `SELECT count(*) AS n FROM (
           SELECT expiry_date, is_current, lead(effective_date) OVER (PARTITION BY user_id ORDER BY effective_date) AS next_from
           FROM ${dim()}) AS v
         WHERE next_from IS NOT NULL AND expiry_date IS DISTINCT FROM next_from`,
      );
      expect(Number(gaps!.n)).toBe(0);
      // Surrogate keys are 1..versions, never reused.
      const [keyRange] = await engine.query<{ lo: unknown; hi: unknown; n: unknown }>(
        `SELECT min(user_key) AS lo, max(user_key) AS hi, count(DISTINCT user_key) AS n FROM ${dim()}`,
      );
      expect([Number(keyRange!.lo), Number(keyRange!.hi)]).toEqual([1, Number(keyRange!.n)]);
    });

    it("changes nothing when the latest or an older loaded day is loaded again", async () => {
      const before = await tableContentHash(engine, { schema: SCHEMA, name: "dim_users" });
      expect((await loadDay(DAYS - 1)).skipped).toBe(true);
      expect((await loadDay(3)).skipped).toBe(true);
      expect(await tableContentHash(engine, { schema: SCHEMA, name: "dim_users" })).toEqual(before);
      finals[name] = before;
    });

    it("refuses an older snapshot that was never loaded, naming both dates", async () => {
      await expect(loadDay(0, "2024-05-31")).rejects.toThrow(
        `snapshot of 2024-05-31 is older than the latest loaded snapshot of ${DIM} (${truth[DAYS - 1]!.date})`,
      );
    });
  });
}

scd2Suite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  scd2Suite("PostgreSQL", () => openEngine(POSTGRES_URL));

  it("gives the same table on both engines: same rows, same surrogate keys", () => {
    expect(finals.PostgreSQL).toBeDefined();
    expect(finals.PostgreSQL).toEqual(finals.DuckDB);
  });
});
