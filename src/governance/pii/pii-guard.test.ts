import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeirError } from "../../core/errors.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { assertNoUnmaskedPii } from "./pii-guard.js";
import { PiiUnmaskedError } from "./pii-unmasked-error.js";

let engine: DuckDBEngine;

const emails = Array.from({ length: 50 }, (_, i) => `customer${i}@example.com`);
const hmac = (value: string) => createHmac("sha256", "k").update(value).digest("hex");
const values = (list: string[]) => list.map((v) => `('${v}')`).join(", ");

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run("CREATE SCHEMA protected");
  await engine.run(`CREATE TABLE protected.raw AS SELECT * FROM (VALUES ${values(emails)}) v(email)`);
  await engine.run(`CREATE TABLE protected.safe AS SELECT
      'c' || i || '***@example.com' AS email_masked,
      '***********' || lpad(CAST(i AS VARCHAR), 4, '0') AS phone,
      'tok_' || md5(CAST(i AS VARCHAR)) AS card_number,
      CAST(NULL AS VARCHAR) AS first_name,
      i AS customer_id
    FROM range(0, 50) r(i)`);
  await engine.run(
    `CREATE TABLE protected.hashed AS SELECT * FROM (VALUES ${values(emails.map(hmac))}) v(email)`,
  );
  await engine.run(
    `CREATE TABLE protected.masked AS SELECT * FROM (VALUES ${values(emails.map((e) => `${e[0]}***${e.slice(e.indexOf("@"))}`))}) v(email)`,
  );
  await engine.run(
    `CREATE TABLE protected.mixed AS SELECT email, 'Anna Müller' AS full_name, 'call +49 151 2345678' AS notes FROM protected.raw`,
  );
});
afterAll(async () => engine.close());

describe("assertNoUnmaskedPii", () => {
  it("fails a protected table holding raw emails with PII_UNMASKED and the findings", async () => {
    const failure = await assertNoUnmaskedPii(engine, { schema: "protected", name: "raw" }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PiiUnmaskedError);
    expect(failure).toBeInstanceOf(WeirError);
    const error = failure as PiiUnmaskedError;
    expect(error.code).toBe("PII_UNMASKED");
    expect(error.exitCode).toBe(11);
    expect(error.retryable).toBe(false);
    expect(error.findings).toEqual([
      {
        column: "email",
        class: "email",
        confidence: 1,
        matchedShare: 1,
        suggestedPolicy: "hash",
        evidence: "name+values",
      },
    ]);
    expect(error.message).toContain(
      "protected.raw holds unmasked PII in 1 column: email: email (100% of values",
    );
    expect(error.details).toMatchObject({ table: "protected.raw" });
  });

  it.each(["masked", "hashed"])("passes emails that are %s", async (name) => {
    const result = await assertNoUnmaskedPii(engine, { schema: "protected", name });
    expect(result).toEqual({ target: `protected.${name}`, rowsScanned: 50, findings: [] });
  });

  it("passes masked phones, tokens and an all-NULL name column (a name is not a finding)", async () => {
    const result = await assertNoUnmaskedPii(engine, { schema: "protected", name: "safe" });
    expect(result.findings).toEqual([]);
    expect(result.rowsScanned).toBe(50);
  });

  it("lists every unmasked column, skips allowed ones and can return the error instead", async () => {
    const result = await assertNoUnmaskedPii(
      engine,
      { schema: "protected", name: "mixed" },
      { throwOnFindings: false },
    );
    expect(result.findings.map((f) => `${f.column}:${f.class}:${f.evidence}`)).toEqual([
      "email:email:name+values",
      "full_name:person_name:name+values",
      "notes:phone:text",
    ]);
    expect(result.error).toBeInstanceOf(PiiUnmaskedError);
    expect(result.error!.findings).toEqual(result.findings);

    const allowed = await assertNoUnmaskedPii(
      engine,
      { schema: "protected", name: "mixed" },
      { allow: ["email", "full_name"], throwOnFindings: false },
    );
    expect(allowed.findings.map((f) => f.column)).toEqual(["notes"]);
    await expect(
      assertNoUnmaskedPii(
        engine,
        { schema: "protected", name: "mixed" },
        { allow: ["email", "full_name", "notes"] },
      ),
    ).resolves.toMatchObject({ findings: [] });
  });
});
