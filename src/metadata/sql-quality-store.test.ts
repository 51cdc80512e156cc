import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS } from "./migrations.js";
import type { QualityCheckRecord } from "./quality-store.js";
import { SqlQualityStore } from "./sql-quality-store.js";
import { SqliteDatabase } from "./sqlite-database.js";

let db: Database.Database;
let store: SqlQualityStore;

beforeEach(() => {
  db = new Database(":memory:");
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) for (const s of m.statements) db.exec(s);
  store = new SqlQualityStore(new SqliteDatabase(db));
});
afterEach(() => db.close());

function check(
  id: string,
  at: string,
  rowCount: number,
  extra: Partial<QualityCheckRecord> = {},
): QualityCheckRecord {
  return {
    id,
    dataset: "customers",
    suite: "customers",
    checkedAt: at,
    success: true,
    rowCount,
    score: { checks: 1, rows: 0.99 },
    results: [
      {
        name: "not_null(id)",
        type: "expect_column_values_to_not_be_null",
        severity: "error",
        success: true,
        elementCount: rowCount,
        unexpectedCount: 0,
        unexpectedPercent: 0,
        details: { kwargs: { column: "id" } },
      },
      {
        name: "rows",
        type: "expect_table_row_count_to_be_between",
        severity: "warn",
        success: false,
        observedValue: rowCount,
      },
    ],
    metrics: { row_count: rowCount, "null_rate:email": 0.25 },
    ...extra,
  };
}

describe("SqlQualityStore", () => {
  it("stores a check with results and metrics and reads it back", async () => {
    const c = check("c1", "2024-01-15T00:00:00.000Z", 100, {
      runId: "run_1",
      columns: [{ name: "id", type: "bigint" }],
      details: { quarantined: { rows: 3 } },
      score: { checks: 0.5, rows: Number.NaN },
    });
    await store.record(c);
    const [back] = await store.checks({ dataset: "customers" });
    expect(back).toEqual({ ...c, score: { checks: 0.5, rows: null } });
    expect(await store.checks({ dataset: "other" })).toEqual([]);
  });

  it("returns checks newest first and a metric's history oldest first", async () => {
    for (const [i, n] of [100, 110, 120].entries())
      await store.record(check(`c${i}`, `2024-01-1${i}T00:00:00.000Z`, n));
    expect((await store.checks()).map((c) => c.id)).toEqual(["c2", "c1", "c0"]);
    const history = await store.metricHistory("customers", "row_count");
    expect(history.map((p) => p.value)).toEqual([100, 110, 120]);
    expect((await store.metricHistory("customers", "row_count", { limit: 2 })).map((p) => p.value)).toEqual([
      110, 120,
    ]);
    expect(await store.metricHistory("customers", "mean:age")).toEqual([]);
  });

  it("remembers the newest recorded columns of a dataset", async () => {
    expect(await store.latestColumns("customers")).toBeUndefined();
    await store.record(
      check("a", "2024-01-10T00:00:00.000Z", 1, { columns: [{ name: "id", type: "integer" }] }),
    );
    await store.record(
      check("b", "2024-01-11T00:00:00.000Z", 1, { columns: [{ name: "id", type: "bigint" }] }),
    );
    await store.record(check("c", "2024-01-12T00:00:00.000Z", 1));
    expect(await store.latestColumns("customers")).toEqual([{ name: "id", type: "bigint" }]);
  });

  it("writes nothing of a check whose insert fails part-way", async () => {
    await store.record(check("ok", "2024-01-10T00:00:00.000Z", 1));
    // The metrics insert (the last step) fails: the check and its results must go too.
    db.exec("ALTER TABLE quality_metrics RENAME TO quality_metrics_off");
    await expect(store.record(check("broken", "2024-01-11T00:00:00.000Z", 2))).rejects.toThrow(
      /quality_metrics/,
    );
    db.exec("ALTER TABLE quality_metrics_off RENAME TO quality_metrics");
    expect((await store.checks()).map((c) => c.id)).toEqual(["ok"]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM quality_results").get()).toEqual({ n: 2 });
  });
});
