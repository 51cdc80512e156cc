import { describe, expect, it } from "vitest";
import { batchFromRows, rowsFromBatch } from "../core/batch.js";
import { DuckDBDialect } from "../engines/duckdb/duckdb-dialect.js";
import { boundText, CursorTracker, cursorBounds, cursorPredicate, filterByCursor } from "./incremental.js";

const interval = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };

describe("incremental", () => {
  it("writes bounds in forms engines and SQLite compare correctly", () => {
    expect(boundText(interval.start, "timestamp")).toBe("2024-01-01 00:00:00");
    expect(boundText(new Date("2024-01-01T10:00:00.250Z"), "timestamp")).toBe("2024-01-01 10:00:00.250");
    expect(boundText(interval.start, "date")).toBe("2024-01-01");
    expect(boundText(interval.start, "timestamptz")).toBe("2024-01-01T00:00:00Z");
    expect(boundText(interval.start, "timestamp", "iso")).toBe("2024-01-01T00:00:00Z");
  });

  it("builds a bound, quoted predicate for an interval or a high-water mark", () => {
    const d = new DuckDBDialect();
    const b = cursorBounds({ interval }, "timestamp")!;
    expect(b.values).toEqual(["2024-01-01 00:00:00", "2024-01-02 00:00:00"]);
    expect(cursorPredicate(d, 'up"dated', "timestamp", b, 3)).toBe(
      '"up""dated" >= CAST($3 AS TIMESTAMP) AND "up""dated" < CAST($4 AS TIMESTAMP)',
    );
    expect(cursorPredicate(d, "id", "bigint", cursorBounds({ since: "41" }, "bigint")!)).toBe(
      '"id" > CAST($1 AS BIGINT)',
    );
    expect(cursorBounds({}, "timestamp")).toBeUndefined();
    expect(() => cursorBounds({ interval }, "integer")).toThrow(/cursor column is of type integer/);
  });

  it("filters batches client-side and tracks the high-water mark", () => {
    const schema = { fields: [{ name: "at", type: "timestamp" as const }] };
    const batch = batchFromRows(schema, [
      { at: "2023-12-31 23:59:59" },
      { at: "2024-01-01 00:00:00" },
      { at: "2024-01-01 23:00:00" },
      { at: "2024-01-02 00:00:00" },
      { at: null },
    ]);
    const { batch: kept, skipped } = filterByCursor(batch, "at", { interval });
    expect(rowsFromBatch(kept).map((r) => r.at)).toEqual(["2024-01-01 00:00:00", "2024-01-01 23:00:00"]);
    expect(skipped).toBe(3);
    const tracker = new CursorTracker(schema, "at");
    tracker.observe(batch);
    expect(tracker.value).toBe("2024-01-02 00:00:00");
    const since = filterByCursor(batch, "at", { since: "2024-01-01 23:00:00" });
    expect(since.batch.numRows).toBe(1);
  });
});
