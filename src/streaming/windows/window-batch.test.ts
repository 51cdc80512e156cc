import { describe, expect, it } from "vitest";
import { rowsFromBatch } from "../../core/batch.js";
import { approxQuantile, collectSet, count, sum } from "../aggregates/index.js";
import { windowRowsToBatch } from "./window-batch.js";
import { WindowState } from "./window-state.js";

describe("windowRowsToBatch", () => {
  it("window bounds as ISO text, then the group keys, then the aggregates with their types", () => {
    const aggregates = [
      { name: "events", spec: count() },
      { name: "revenue", spec: sum("amount") },
      { name: "types", spec: collectSet("type") },
      { name: "p", spec: approxQuantile("amount", [0, 1]) },
    ];
    const state = new WindowState({ kind: "tumbling", sizeMs: 60_000 }, aggregates);
    const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
    state.add('["u1","eu"]', ["u1", "eu"], t0 + 5, [1, 10, "click", 10]);
    state.add('["u1","eu"]', ["u1", "eu"], t0 + 6, [1, null, "view", null]);
    state.add('["u2",null]', ["u2", null], t0 + 61_000, [1, 2.5, "click", 2.5]);
    const batch = windowRowsToBatch(
      state.close(Number.POSITIVE_INFINITY),
      [
        { name: "user_id", type: "varchar" },
        { name: "region", type: "varchar" },
      ],
      aggregates,
    );
    expect(batch.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ["window_start", "timestamptz"],
      ["window_end", "timestamptz"],
      ["user_id", "varchar"],
      ["region", "varchar"],
      ["events", "bigint"],
      ["revenue", "double"],
      ["types", "json"],
      ["p", "json"],
    ]);
    expect(batch.numRows).toBe(2);
    expect(batch.columns.every((c) => c.length === 2)).toBe(true);
    expect(rowsFromBatch(batch)).toEqual([
      {
        window_start: "2024-05-01T12:00:00.000Z",
        window_end: "2024-05-01T12:01:00.000Z",
        user_id: "u1",
        region: "eu",
        events: 2,
        revenue: 10,
        types: '["click","view"]',
        p: "[10,10]",
      },
      {
        window_start: "2024-05-01T12:01:00.000Z",
        window_end: "2024-05-01T12:02:00.000Z",
        user_id: "u2",
        region: null,
        events: 1,
        revenue: 2.5,
        types: '["click"]',
        p: "[2.5,2.5]",
      },
    ]);
  });

  it("no rows: the schema and empty columns", () => {
    const batch = windowRowsToBatch([], [{ name: "k", type: "varchar" }], [{ name: "n", spec: count() }]);
    expect(batch.numRows).toBe(0);
    expect(batch.columns).toEqual([[], [], [], []]);
    expect(batch.schema.fields.length).toBe(4);
  });
});
