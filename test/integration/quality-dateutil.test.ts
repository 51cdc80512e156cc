import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateutilParseableSql } from "../../src/quality/expectations/dateutil-grammar.js";
import { EXPECTATION_SQL } from "../../src/quality/expectations/expectation-sql.js";
import {
  closeQualityEngine,
  openQualityEngine,
  QUALITY_ENGINES,
  type QualityEngine,
} from "../support/quality-engines.js";

/**
 * weir's dateutil subset against Python's `dateutil.parser.parse` (2.9.0, default settings):
 * the verdicts below were produced by running dateutil itself on each value.
 */
// biome-ignore format: one vector per line
const AGREES_WITH_DATEUTIL: [string, boolean][] = [
  ["2024-01-31", true], ["2024-1-5", true], ["2024-02-29", true], ["2023-02-29", false], ["2024-04-31", false],
  ["2024-13-01", false], ["2024-00-10", false], ["2024/01/31", true], ["2024.01.31", true], ["20240131", true],
  ["20240230", false], ["2024-01", true], ["2024", true], ["01/31/2024", true], ["31/01/2024", true],
  ["02/30/2024", false], ["13/13/2024", false], ["04/31/2024", false], ["31/04/2024", false], ["1/5/2024", true],
  ["01-31-2024", true], ["31-01-2024", true], ["31.01.2024", true], ["01/31/24", true], ["31/01/24", true],
  ["02/29/23", false], ["02/29/24", true], ["Jan 31 2024", true], ["January 31, 2024", true], ["jan 31, 2024", true],
  ["31 Jan 2024", true], ["31 January 2024", true], ["31-Jan-2024", true], ["Feb 30 2024", false], ["Jan 2024", true],
  ["Wed, 31 Jan 2024", true], ["Wednesday, January 31, 2024", true], ["2024-01-31T10:30", true],
  ["2024-01-31T10:30:15", true], ["2024-01-31 10:30:15.123456", true], ["2024-01-31T10:30:15Z", true],
  ["2024-01-31T10:30:15+05:30", true], ["2024-01-31 10:30:15 -0800", true], ["2024-01-31 10:30 PM", true],
  ["2024-01-31 10pm", true], ["2024-01-31T25:00", false], ["2024-01-31T10:60", false],
  ["Wed, 31 Jan 2024 10:30:15 GMT", true], ["Wed, 31 Jan 2024 10:30:15 +0000", true], ["20240131T103000", true],
  ["10:30", true], ["10:30:15", true], ["10:30 PM", true], ["10pm", true], ["13:00 PM", false], ["25:00", false],
  [" 2024-01-31 ", true], ["", false], ["   ", false], ["x", false], ["2024-01-31x", false], ["hello world", false],
  ["2024-01-31 10:30 UTC", true], ["2024-01-31 EST", false],
];

/** dateutil reads these; weir's documented subset does not (README: "dateutil_parseable"). */
const OUTSIDE_THE_SUBSET = ["15", "15th", "January 15th, 2024", "Sept 5 2024", "32/01/24"];

describe.each(QUALITY_ENGINES)("the dateutil subset on %s", (name) => {
  let e: QualityEngine;
  beforeAll(async () => {
    e = await openQualityEngine(name, "weir_dateutil");
  });
  afterAll(async () => closeQualityEngine(e));

  async function verdicts(values: readonly string[]): Promise<boolean[]> {
    const d = e.engine.dialect;
    const sql = EXPECTATION_SQL[e.engine.kind];
    const v = d.quoteIdent("v");
    const lit = (t: string) => d.quoteLiteral(t);
    const parseable = dateutilParseableSql(
      (regex) => sql.regexFullMatch(v, regex, lit),
      (regex) => sql.regexSearch(v, `^${regex}`, lit),
    );
    const rows = values.map((value, i) => `(${i}, ${d.quoteLiteral(value)})`).join(", ");
    const result = await e.engine.query<{ ok: boolean | null }>(
      `SELECT COALESCE(${parseable}, FALSE) AS ok FROM (VALUES ${rows}) AS t(i, v) ORDER BY i`,
    );
    return result.map((r) => r.ok === true);
  }

  it("judges every vector as dateutil does", async () => {
    const got = await verdicts(AGREES_WITH_DATEUTIL.map(([value]) => value));
    const wrong = AGREES_WITH_DATEUTIL.filter(([, ok], i) => got[i] !== ok).map(
      ([value, ok]) => `${JSON.stringify(value)}: dateutil ${ok}`,
    );
    expect(wrong).toEqual([]);
  });

  it("rejects the forms outside its documented subset", async () => {
    expect(await verdicts(OUTSIDE_THE_SUBSET)).toEqual(OUTSIDE_THE_SUBSET.map(() => false));
  });
});
