import { describe, expect, it } from "vitest";
import { defineDimension } from "../model/define-dimension.js";
import { defineFact } from "../model/define-fact.js";
import { requiredColumns } from "./fact-load-sql.js";

describe("requiredColumns", () => {
  const dim = defineDimension({
    name: "dim_users",
    surrogateKey: "user_key",
    naturalKey: "user_id",
    columns: { user_id: "uuid", email: "varchar" },
  });

  it("names grain, as-of, loadBy, partition and NOT NULL columns once each, but not natural keys", () => {
    const fact = defineFact({
      name: "f",
      grain: ["event_id"],
      columns: {
        event_id: "bigint",
        day: "date",
        time_key: { type: "integer", nullable: false },
        created_at: "timestamptz",
        note: "varchar",
      },
      dimensionKeys: [
        { column: "user_key", dimension: dim, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
      ],
      partitionBy: { column: "day", granularity: "month" },
      loadBy: "day",
    });
    // A NULL natural key is loadable: it gets the unknown member.
    expect(requiredColumns(fact)).toEqual(["event_id", "created_at", "day", "time_key"]);
  });
});
