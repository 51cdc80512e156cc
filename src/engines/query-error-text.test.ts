import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { reportError } from "../cli/report-error.js";
import { ConnectorError, messageOf, TaskError } from "../core/errors.js";
import { DuckDBEngine } from "./duckdb/duckdb-engine.js";
import { queryFailed } from "./query-error.js";

/**
 * One failing statement makes one concise error: the statement once (shortened), the
 * engine's message once. DuckDB's own message quotes the statement again ("LINE 1: …" and
 * a caret), and every layer that wraps the error (connector, task) repeats its message.
 */
let engine: DuckDBEngine;
beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(() => engine.close());

const MISSING = "/no/such/dir/customers.csv";
const occurrences = (text: string, part: string) => text.split(part).length - 1;

async function missingCsvError(): Promise<Error> {
  return engine.query(`SELECT * FROM read_csv('${MISSING}', header = true)`).then(
    () => expect.unreachable() as never,
    (error: Error) => error,
  );
}

describe("the text of a failed statement", () => {
  it("names the statement once and DuckDB's message once, without DuckDB's excerpt of it", async () => {
    const error = await missingCsvError();
    expect(error.message).toContain(`No files found that match the pattern "${MISSING}"`);
    expect(occurrences(error.message, `read_csv('${MISSING}'`)).toBe(1);
    expect(error.message).not.toMatch(/LINE \d+:/);
    expect(error.message.split("\n")).toHaveLength(2);
  });

  it("keeps a DuckDB message's own lines that are not the excerpt", () => {
    const cause = new Error(
      'Binder Error: Referenced column "nme" not found in FROM clause!\nCandidate bindings: "name"\n\nLINE 1: SELECT nme FROM t\n               ^',
    );
    const error = queryFailed("duckdb", "SELECT nme FROM t", cause);
    expect(error.message).toBe(
      'duckdb rejected a statement: Binder Error: Referenced column "nme" not found in FROM clause!\nCandidate bindings: "name"\n  statement: SELECT nme FROM t',
    );
  });

  it("is printed once by the CLI, however many layers wrap it", async () => {
    const engineError = await missingCsvError();
    const connector = new ConnectorError(
      "CONNECTOR_READ_FAILED",
      `${MISSING}: cannot read: ${messageOf(engineError)}`,
      { cause: engineError, details: { location: MISSING } },
    );
    let text = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      text += String(chunk);
      return true;
    });
    reportError(new TaskError("extract", connector), false);
    vi.restoreAllMocks();
    text = stripVTControlCharacters(text);
    expect(occurrences(text, "No files found")).toBe(1);
    expect(occurrences(text, `read_csv('${MISSING}'`)).toBe(1);
    expect(text.split("\n").length).toBeLessThanOrEqual(8);
  });
});
