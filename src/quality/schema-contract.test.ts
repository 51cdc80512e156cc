import { describe, expect, it } from "vitest";
import type { Schema } from "../core/types.js";
import { compareSchema } from "./schema-contract.js";

const now: Schema = {
  fields: [
    { name: "id", type: "bigint" },
    { name: "email", type: "varchar" },
    { name: "score", type: "double" },
  ],
};

describe("compareSchema", () => {
  it("passes a matching contract and reports no changes without a previous run", () => {
    const r = compareSchema(now, {
      columns: [
        { name: "id", type: "bigint" },
        { name: "email", type: "varchar" },
      ],
    });
    expect(r).toMatchObject({ success: true, violations: [], message: "schema matches" });
    expect(r.changes).toBeUndefined();
  });

  it("names missing columns, type mismatches and (when not allowed) extra columns", () => {
    const r = compareSchema(now, {
      columns: [
        { name: "id", type: "integer" },
        { name: "name", type: "varchar" },
        { name: "email", type: "varchar" },
      ],
      allowExtra: false,
    });
    expect(r.success).toBe(false);
    expect(r.violations).toEqual([
      { column: "id", problem: "type_mismatch", expected: "integer", actual: "bigint" },
      { column: "name", problem: "missing", expected: "varchar" },
      { column: "score", problem: "unexpected", actual: "double" },
    ]);
    expect(r.message).toContain("column id is bigint, expected integer");
  });

  it("calls removed and retyped columns breaking and added ones additive", () => {
    const previous = [
      { name: "id", type: "integer" },
      { name: "email", type: "varchar" },
      { name: "phone", type: "varchar" },
    ];
    const r = compareSchema(now, {}, previous);
    expect(r.changes).toEqual({
      breaking: [
        { column: "id", change: "type_changed", from: "integer", to: "bigint" },
        { column: "phone", change: "removed", from: "varchar" },
      ],
      additive: [{ column: "score", change: "added", to: "double" }],
    });
    expect(r.success).toBe(false);
    expect(compareSchema(now, { failOnBreaking: false }, previous).success).toBe(true);
  });

  it("passes an additive-only change", () => {
    const r = compareSchema(now, {}, [
      { name: "id", type: "bigint" },
      { name: "email", type: "varchar" },
    ]);
    expect(r.success).toBe(true);
    expect(r.changes?.additive).toEqual([{ column: "score", change: "added", to: "double" }]);
    expect(r.message).toBe("additive: column score (double) was added");
  });
});
