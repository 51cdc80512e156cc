import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HASH_KEY, SECRETS } from "../../../test/support/governance-people.js";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { defineDatasetPolicy } from "./define-dataset-policy.js";
import { piiDigest } from "./pii-digest.js";
import { policySelect } from "./policy-select.js";

/**
 * Values chosen to tell the SQL's shortcuts apart from what the policies promise: ASCII-only
 * case mapping (every ASCII character; letters outside ASCII whose case `lower`/`upper`
 * would change, one of which lower-cases to ASCII `k`), blanks in every position, digits
 * outside ASCII, many digits, line breaks between digits, several "@".
 */
const ASCII = String.fromCharCode(...Array.from({ length: 127 }, (_, i) => i + 1));
const VALUES: string[] = [
  ASCII,
  ` \t${ASCII}\r\n`,
  "  \r\n\tMiXeD.Case@Example.COM \n",
  "ÄÖÜ@STRASSE.DE",
  "İSTANBUL@X.TR",
  "\u212Aelvin@X.com",
  "ẞ ǅǄǆ ΣΑΣ@ΕΛ.gr",
  "E\u0301MILE@x.com",
  "🙂 Ünï@B@C.COM",
  "@",
  "a@",
  "",
  " \t\r\n ",
  "+1 (555) 123-5678",
  "12345",
  "1234",
  "1\n2\n3\n4\n5",
  "12٣45678",
  "０１２３４５６9",
  "1234567890123456789012345",
  " 98765 ",
  "x1y2z3w4v5u",
  "☎ 0170 1234567",
  "sw1a 1aa",
  "é1 23",
  "ǆx1 23",
  "straße",
  " a b c d ",
];

const POLICY = defineDatasetPolicy({
  dataset: "edge",
  columns: {
    v: [
      { hash: { normalize: "lower-trim" }, as: "lower_trim" },
      { hash: { normalize: "trim" }, as: "trim" },
      { hash: { normalize: "none" }, as: "none" },
      { mask: "email", as: "email" },
      { mask: "last4", as: "last4" },
      { generalize: { postcode: 3 }, as: "postcode" },
    ],
  },
});

// The promises, in JS (policy-types.ts, pii-digest.ts).
const trimBlanks = (v: string) => v.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
function maskEmail(v: string): string {
  const t = trimBlanks(v);
  const at = t.lastIndexOf("@");
  if (at < 0) return "***";
  const first = t.startsWith("@") ? "" : String.fromCodePoint(t.codePointAt(0)!);
  return `${first}***@${t.slice(at + 1)}`;
}
function maskLast4(v: string): string {
  const digits = v.replace(/[^0-9]/g, "");
  return digits.length > 4 ? `****${digits.slice(-4)}` : "****";
}
function postcode(v: string): string | null {
  const code = [...v.replace(/ /g, "")];
  return code.length > 3
    ? code
        .slice(0, 3)
        .join("")
        .replace(/[a-z]/g, (c) => c.toUpperCase())
    : null;
}
const expected = (v: string | null, id: number) => ({
  id,
  lower_trim: v === null ? null : piiDigest(v, HASH_KEY, "lower-trim"),
  trim: v === null ? null : piiDigest(v, HASH_KEY, "trim"),
  none: v === null ? null : piiDigest(v, HASH_KEY, "none"),
  email: v === null ? null : maskEmail(v),
  last4: v === null ? null : maskLast4(v),
  postcode: v === null ? null : postcode(v),
});

function valuesSuite(name: string, open: () => Promise<Engine>): void {
  describe(`policy SQL on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      await engine?.close();
    });

    it("hashes, masks and generalizes every edge value as the JS reference does", async () => {
      const inputs = [...VALUES, null];
      const rows = inputs.map(
        (v, i) => `(${i}, ${v === null ? "CAST(NULL AS VARCHAR)" : engine.dialect.quoteLiteral(v)})`,
      );
      const source = { sql: `SELECT * FROM (VALUES ${rows.join(", ")}) AS t(id, v)` };
      const sql = await policySelect(engine, source, POLICY, { secrets: SECRETS });
      const got = await engine.query(`${sql} ORDER BY id`);
      // Each row beside its input, so a failure names the value.
      expect(got.map((row, i) => ({ input: inputs[i], ...row }))).toEqual(
        inputs.map((v, i) => ({ input: v, ...expected(v, i) })),
      );
    });

    it("computes each shared value once: one trim per email, one regexp per phone", async () => {
      const source = { sql: "SELECT CAST('a@b' AS VARCHAR) AS email, CAST('123456' AS VARCHAR) AS phone" };
      const sql = await policySelect(
        engine,
        source,
        defineDatasetPolicy({
          dataset: "c",
          columns: {
            email: [
              { hash: {}, as: "email_hash" },
              { mask: "email", as: "email_masked" },
            ],
            phone: { mask: "last4" },
          },
        }),
        { secrets: SECRETS },
      );
      expect(sql.match(/\btrim\(/g)).toHaveLength(1);
      // One for the email's domain, one for the phone's digits.
      expect(sql.match(/\bregexp_\w+\(/g)).toHaveLength(2);
      expect(await engine.query(sql)).toEqual([
        {
          email_hash: piiDigest("a@b", HASH_KEY, "lower-trim"),
          email_masked: "a***@b",
          phone: "****3456",
        },
      ]);
    });

    it("names its computed columns apart from the source's", async () => {
      const source = {
        sql: "SELECT CAST(' x@y ' AS VARCHAR) AS v, 1 AS weir_policy_value_0, 2 AS weir_policy_value_1",
      };
      const sql = await policySelect(
        engine,
        source,
        defineDatasetPolicy({ dataset: "c", columns: { v: { mask: "email" } } }),
      );
      expect(await engine.query(sql)).toEqual([
        { v: "x***@y", weir_policy_value_0: 1, weir_policy_value_1: 2 },
      ]);
    });
  });
}

valuesSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  valuesSuite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
