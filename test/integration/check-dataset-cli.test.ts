import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWeir } from "../support/weir-process.js";

/** `weir check` stored results under the target's name even when the suite says `dataset:` (issue 10 friction). */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-check-dataset-"));
  writeFileSync(join(dir, "orders-2024-01-15.csv"), "id,amount\n1,10\n2,20\n");
  writeFileSync(
    join(dir, "suite.yaml"),
    "name: orders\ndataset: orders\nexpectations:\n  - type: expect_column_values_to_not_be_null\n    kwargs: { column: id }\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: join(dir, "home") });

describe("weir check and the suite's dataset", () => {
  it("stores results under the suite's dataset:, and --dataset still wins", async () => {
    const file = join(dir, "orders-2024-01-15.csv");
    const suite = join(dir, "suite.yaml");
    const bySuite = await weir("check", file, "--suite", suite, "--json");
    expect(bySuite.code, bySuite.stderr).toBe(0);
    expect(JSON.parse(bySuite.stdout)).toMatchObject({ suite: "orders", dataset: "orders" });
    const byOption = await weir("check", file, "--suite", suite, "--dataset", "orders_backfill", "--json");
    expect(byOption.code, byOption.stderr).toBe(0);
    expect(JSON.parse(byOption.stdout)).toMatchObject({ dataset: "orders_backfill" });
  }, 120_000);
});
