import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lineageText } from "./lineage-text.js";
import type { SyncColumnCatalog } from "./lineage-types.js";
import { selectLineage } from "./select-lineage.js";

/** An AST `json_serialize_sql` gave for the query in the fixture: the walk runs without DuckDB. */
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/customer-tiers.ast.json", import.meta.url), "utf8"),
) as {
  sql: string;
  ast: unknown;
};

describe("selectLineage (from a fixture AST)", () => {
  it("traces a CTE, a join, CASE, a hash and ORDER BY without the parser", () => {
    const catalog: SyncColumnCatalog = {
      columnsOf: (t) =>
        "file" in t
          ? undefined
          : t.name === "customers"
            ? ["id", "name", "email"]
            : t.name === "orders"
              ? ["customer_id", "amount", "status"]
              : undefined,
    };
    const lineage = selectLineage(fixture.ast, catalog);
    expect(fixture.sql).toContain("WITH big AS");
    expect(lineage.inputs).toEqual([{ name: "customers" }, { schema: "dw", name: "orders" }]);
    expect(lineage.notes).toEqual([]);
    expect(lineageText(lineage)).toEqual({
      name: ["customers.name DIRECT/IDENTITY"],
      total: ["dw.orders.amount DIRECT/AGGREGATION"],
      tier: ["dw.orders.amount INDIRECT/CONDITIONAL"],
      // Unaliased: PostgreSQL's name until statementLineage asks DuckDB for its own.
      sha256: ["customers.email DIRECT/TRANSFORMATION masked"],
      "*": [
        "dw.orders.status INDIRECT/FILTER",
        "dw.orders.customer_id INDIRECT/GROUP_BY, INDIRECT/JOIN",
        "customers.id INDIRECT/JOIN",
        "dw.orders.amount INDIRECT/SORT",
      ],
    });
    expect(lineage.unnamed.map((u) => u.index)).toEqual([3]);
  });

  it("accepts the statement or its query node as well, and says when there is no query", () => {
    const statements = (fixture.ast as { statements: unknown[] }).statements;
    const fromNode = selectLineage((statements[0] as { node: unknown }).node);
    expect(fromNode.columns.map((c) => c.name)).toEqual(["name", "total", "tier", "sha256"]);
    expect(selectLineage({ statements: [] }).notes).toEqual(["no query in the AST"]);
  });
});
