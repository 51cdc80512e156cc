import { describe, expect, it } from "vitest";
import { ValueMemo } from "./value-memo.js";

describe("ValueMemo", () => {
  it("remembers outcomes of values that repeat", () => {
    const memo = new ValueMemo<number>();
    for (let i = 0; i < 20_000; i++) {
      const value = `country ${i % 20}`;
      const known = memo.get(value);
      if (known === undefined) memo.set(value, i % 20);
      else expect(known).toBe(i % 20);
    }
    expect(memo.active).toBe(true);
    expect(memo.get("country 7")).toBe(7);
  });

  it("gives up when values rarely repeat, and forgets nothing it should not", () => {
    const memo = new ValueMemo<number>();
    for (let i = 0; i < 10_000; i++) {
      expect(memo.get(`id ${i}`)).toBeUndefined();
      memo.set(`id ${i}`, i);
    }
    expect(memo.active).toBe(false);
    expect(memo.get("id 1")).toBeUndefined();
  });
});
