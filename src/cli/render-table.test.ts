import { describe, expect, it } from "vitest";
import { renderTable } from "./render-table.js";

describe("renderTable", () => {
  it("aligns columns, numbers to the right", () => {
    expect(
      renderTable(
        ["n", "name"],
        [
          [1, "a"],
          [100, "bcd"],
        ],
      ),
    ).toBe("  n  name\n---  ----\n  1  a\n100  bcd");
  });

  it("renders a result of 200,000 rows (weir sql on a big table) without overflowing the stack", () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [i]);
    const text = renderTable(["range"], rows);
    expect(text.split("\n")).toHaveLength(200_002);
    expect(text.endsWith("199999")).toBe(true);
  });
});
