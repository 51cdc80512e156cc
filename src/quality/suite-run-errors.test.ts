import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { runSuite } from "./run-suite.js";
import { loadSuiteFile, parseSuiteYaml } from "./suite-yaml.js";
import { validateDataset } from "./validate-dataset.js";

let engine: DuckDBEngine;
let dir: string;
const people = { name: "people" };

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  dir = mkdtempSync(join(tmpdir(), "weir-suite-errors-"));
  await engine.run(`CREATE TABLE people AS SELECT * FROM (VALUES
    (1, 30, DATE '2024-01-01', 'US'), (2, 40, DATE '2024-02-01', 'FR'), (3, NULL, NULL, 'DE')) t(id, age, signup, country)`);
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A one-expectation suite file's text; the expectation's kwargs on line 4. */
const suiteText = (kwargs: string, type = "expect_column_values_to_be_between") =>
  `name: people\nexpectations:\n  - type: ${type}\n    kwargs: { ${kwargs} }\n`;

/** "file:4:col" of `value` on line 4 of `text`. */
const at = (file: string, text: string, value: string) =>
  `${file}:4:${text.split("\n")[3]!.indexOf(value) + 1}`;

describe("suite arguments whose type does not fit the data", () => {
  it("reports min_value: ten on a number column as a config error at its line and column", async () => {
    const text = suiteText("column: age, min_value: ten, max_value: 120");
    const suite = parseSuiteYaml(text, "people.suite.yaml");
    const error = await runSuite(engine, people, suite).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    expect((error as Error).message).toBe(
      `${at("people.suite.yaml", text, "ten")}: expectations[0] (expect_column_values_to_be_between): invalid arguments:\n  min_value: expected a number (column "age" is integer), got "ten"`,
    );
    // Without a file, the expectation is named by its index.
    await expect(
      validateDataset(
        engine,
        people,
        suite.expectations.map((e) => e.config),
      ),
    ).rejects.toThrow(
      /^expectations\[0\] \(expect_column_values_to_be_between\): invalid arguments:\n {2}min_value: expected a number/,
    );
  });

  it("wants ISO text for dates and timestamps, and takes text bounds for text columns", async () => {
    const text = suiteText('column: signup, max_value: "next tuesday"', "expect_column_max_to_be_between");
    await expect(runSuite(engine, people, parseSuiteYaml(text, "s.yaml"))).rejects.toThrow(
      `${at("s.yaml", text, '"next tuesday"')}: expectations[0] (expect_column_max_to_be_between): invalid arguments:\n  max_value: expected a date as ISO text such as "2024-01-31" (column "signup" is date), got "next tuesday"`,
    );
    await expect(
      runSuite(
        engine,
        people,
        parseSuiteYaml(suiteText('column: signup, min_value: "2024-02-30"'), "s.yaml"),
      ),
    ).rejects.toThrow(/min_value: expected a date as ISO text/);
    const fine = await runSuite(
      engine,
      people,
      parseSuiteYaml(
        `expectations:\n  - type: expect_column_values_to_be_between\n    kwargs: { column: signup, min_value: "2024-01-01", max_value: "2024-12-31 23:59:59" }\n  - type: expect_column_values_to_be_between\n    kwargs: { column: country, min_value: "A", max_value: "Z" }\n`,
        "s.yaml",
      ),
    );
    expect(fine.checks.map((c) => c.success)).toEqual([true, true]);
  });

  it("fails only the check the engine cannot evaluate, not the whole run", async () => {
    const suite = parseSuiteYaml(
      `expectations:\n  - type: expect_column_values_to_be_in_set\n    kwargs: { column: age, value_set: ["not a number"] }\n  - type: expect_column_values_to_not_be_null\n    kwargs: { column: id }\n`,
      "s.yaml",
    );
    const result = await runSuite(engine, people, suite, { failOnError: false });
    expect(result.validation.results[0]!.exception_info?.raised_exception).toBe(true);
    expect(result.checks[1]).toMatchObject({ success: true });
    expect(result.score.rowCount).toBe(3);
  });
});

describe("YAML alias bombs", () => {
  it("refuses a billion-laughs suite as a config error at the file's first alias", async () => {
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const lines = levels.map((name, i) =>
      i === 0
        ? `${name}: &${name} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`
        : `${name}: &${name} [${Array(9)
            .fill(`*${levels[i - 1]}`)
            .join(",")}]`,
    );
    const file = join(dir, "bomb.suite.yaml");
    writeFileSync(
      file,
      `name: bomb\nexpectations:\n  - type: expect_table_row_count_to_equal\n    kwargs: { value: 1 }\n    meta:\n      ${lines.join("\n      ")}\n`,
    );
    const error = await loadSuiteFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    expect((error as Error).message).toBe(
      `${file}:7:14: the YAML aliases (*name) expand too far: more than 100 alias resolutions, as in a "billion laughs" document; write the values out instead`,
    );
  });
});
