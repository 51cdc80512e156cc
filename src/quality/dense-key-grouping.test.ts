import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { denseKeyCandidate, denseKeySettings } from "./dense-key-grouping.js";
import { validateDataset } from "./validate-dataset.js";

describe("dense integer keys grouped in DuckDB's perfect hash table", () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = await DuckDBEngine.create({ threads: 2, memoryLimit: "512MB" });
    // 200,000 keys 1..200,000 with every 1000th key written twice, plus NULLs.
    await engine.run(
      "CREATE TABLE ids AS SELECT range AS id FROM range(1, 200001) UNION ALL SELECT range FROM range(1000, 200001, 1000) UNION ALL SELECT NULL FROM range(5)",
    );
  });
  afterAll(async () => engine?.close());

  it("raises the threshold only for a dense range whose arrays fit the budget", async () => {
    expect(await denseKeySettings(engine, { keyLo: 1, keyHi: 200_000 }, 200_000)).toEqual({
      perfect_ht_threshold: 18,
    });
    // Within DuckDB's default (12 bits): nothing to change.
    expect(await denseKeySettings(engine, { keyLo: 0, keyHi: 4000 }, 4000)).toBeUndefined();
    // Sparse: 2^18 slots for 1,000 rows.
    expect(await denseKeySettings(engine, { keyLo: 1, keyHi: 200_000 }, 1000)).toBeUndefined();
    // Dense but too big for three arrays (two threads and the merged one) within 2^26 slots.
    expect(await denseKeySettings(engine, { keyLo: 0, keyHi: 2 ** 25 }, 2 ** 25)).toBeUndefined();
    // No values.
    expect(await denseKeySettings(engine, { keyLo: null, keyHi: null }, 0)).toBeUndefined();
  });

  it("gives the same uniqueness result as the plain hash table, through the tuned statement", async () => {
    const tuned: string[] = [];
    // Checks run in a read-only session: each proxy wraps the engine it hands out too.
    const record = (inner: Engine): Engine =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === "queryWithSettings")
            return (settings: Record<string, number>, sql: string) => {
              tuned.push(`${JSON.stringify(settings)} ${sql}`);
              return target.queryWithSettings!(settings, sql);
            };
          if (prop === "readOnly")
            return <T>(fn: (ro: Engine) => Promise<T>) => target.readOnly((ro) => fn(record(ro)));
          return Reflect.get(target, prop, receiver);
        },
      });
    const recording = record(engine);
    // The same engine without the optional method: the default plan.
    const withoutSettings = (inner: Engine): Engine =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop === "queryWithSettings") return undefined;
          if (prop === "readOnly")
            return <T>(fn: (ro: Engine) => Promise<T>) => target.readOnly((ro) => fn(withoutSettings(ro)));
          const value = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    const plain = withoutSettings(engine);
    const suite = [
      { type: "expect_column_values_to_be_unique", kwargs: { column: "id", mostly: 0.99 } },
      { type: "expect_column_values_to_be_unique", kwargs: { column: "id", row_condition: "id < 5000" } },
    ];
    const fast = await validateDataset(recording, { name: "ids" }, suite);
    const slow = await validateDataset(plain, { name: "ids" }, suite);
    expect(tuned).toHaveLength(2);
    expect(tuned[0]).toContain('{"perfect_ht_threshold":18}');
    expect(fast.results).toEqual(slow.results);
    const result = fast.results[0]!.result;
    expect(result.unexpected_count).toBe(400);
    expect(result.missing_count).toBe(5);
    // Passing (mostly), so its duplicates are not read: listing them would take another pass.
    expect(result.partial_unexpected_list).toEqual([]);
    expect(fast.results[0]!.success).toBe(true);
    expect(fast.results[1]!.result.unexpected_count).toBe(8);
    expect(fast.results[1]!.success).toBe(false);
    // Failing: its first duplicated rows, in row order.
    expect(fast.results[1]!.result.partial_unexpected_list).toHaveLength(8);
  });

  it("applies to one integer key on an engine with settings only", () => {
    const key = (type: "bigint" | "integer" | "varchar") => ({ sql: '"k"', type });
    expect(denseKeyCandidate(engine, { keys: [key("bigint")] })).toBe(true);
    expect(denseKeyCandidate(engine, { keys: [key("integer")] })).toBe(true);
    expect(denseKeyCandidate(engine, { keys: [key("varchar")] })).toBe(false);
    expect(denseKeyCandidate(engine, { keys: [key("bigint"), key("bigint")] })).toBe(false);
    const withoutSettings = { ...engine, queryWithSettings: undefined } as unknown as Engine;
    expect(denseKeyCandidate(withoutSettings, { keys: [key("bigint")] })).toBe(false);
  });
});
