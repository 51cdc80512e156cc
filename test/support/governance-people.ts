import { createHmac, hkdfSync } from "node:crypto";
import { Secret } from "../../src/config/secret.js";
import { batchFromRows, type Row } from "../../src/core/batch.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";
import { defineDatasetPolicy } from "../../src/governance/policies/define-dataset-policy.js";
import type { DatasetPolicy } from "../../src/governance/policies/policy-types.js";

/**
 * One table of awkward personal data that the governance tests load into every engine:
 * NULLs, non-ASCII, an email without "@" and one with two, short numbers, Feb 29, ages 0,
 * 120 and -1, postcodes shorter than their prefix. Row 7 is row 1's person spelled again
 * (`' ANN@x.COM'`, the same card), so hashed emails and card tokens must join.
 */
export const PEOPLE_SCHEMA: Schema = {
  fields: [
    { name: "id", type: "integer" },
    { name: "email", type: "varchar" },
    { name: "phone", type: "varchar" },
    { name: "card", type: "varchar" },
    { name: "ssn", type: "varchar" },
    { name: "birth", type: "date" },
    { name: "age", type: "integer" },
    { name: "zip", type: "varchar" },
  ],
};

const columns = PEOPLE_SCHEMA.fields.map((f) => f.name);
const row = (...values: unknown[]): Row => Object.fromEntries(columns.map((c, i) => [c, values[i]]));

export const PEOPLE: Row[] = [
  row(
    1,
    "Ann@X.com ",
    "+1 (555) 123-5678",
    "4111 1111 1111 5678",
    "123-45-6789",
    "2020-02-29",
    0,
    "SW1A 1AA",
  ),
  row(2, null, null, null, null, null, null, null),
  row(3, "zoë@exämple.org", "1234", "5678", "x", "1999-12-31", 120, "ab1"),
  row(4, "no-at-sign", "", "12345", "y", "1900-01-01", 39, "AB"),
  row(5, "a@b@c.com", "555 0000 ext 12", "tok", "z", "2000-01-01", 40, "  12345 "),
  row(6, "@nolocal.com", "☎ 0170 1234567", "4111-1111-1111-1111", "🙂 ünï", "2024-02-29", 119, "é1 23"),
  row(7, " ANN@x.COM", null, "4111 1111 1111 5678", "v", "1987-06-15", -1, "sw1a1aa"),
];

export const HASH_KEY = new Secret("WEIR_PII_HASH_KEY", "people-hash-key-0123456789abcdef");
export const OTHER_HASH_KEY = new Secret("WEIR_PII_HASH_KEY", "another-hash-key-0123456789abcdef");
export const TOKEN_KEY = new Secret("WEIR_TOKEN_KEY", "people-token-key-0123456789abcdef");
export const SECRETS = { hashKey: HASH_KEY, tokenKey: TOKEN_KEY };

/** Node's own HMAC-SHA256, the reference the SQL must equal. */
export function nodeHmac(key: string | Buffer, value: string): string {
  return createHmac("sha256", key).update(value, "utf8").digest("hex");
}

/** The token of a value, derived here independently of weir's code (HKDF → HMAC → 32 hex). */
export function nodeToken(value: string): string {
  const idKey = Buffer.from(hkdfSync("sha256", TOKEN_KEY.reveal(), "weir token key", "token id", 32));
  return `tok_${nodeHmac(idKey, value).slice(0, 32)}`;
}

/** Creates `table` and loads the people into it. */
export async function loadPeople(engine: Engine, table: TableRef): Promise<void> {
  await engine.createTable(table, PEOPLE_SCHEMA);
  await engine.load(table, [batchFromRows(PEOPLE_SCHEMA, PEOPLE)]);
}

/** Each output column the kind policies below write, for the seven people in order. */
export const EXPECTED: Record<string, unknown[]> = {
  email_masked: [
    "A***@X.com",
    null,
    "z***@exämple.org",
    "***",
    "a***@c.com",
    "***@nolocal.com",
    "A***@x.COM",
  ],
  phone_masked: ["****5678", null, "****", "****", "****0012", "****4567", null],
  ssn_text: ["[REDACTED]", null, "[REDACTED]", "[REDACTED]", "[REDACTED]", "[REDACTED]", "[REDACTED]"],
  ssn_null: [null, null, null, null, null, null, null],
  birth_year: [2020, null, 1999, 1900, 2000, 2024, 1987],
  birth_month: ["2020-02", null, "1999-12", "1900-01", "2000-01", "2024-02", "1987-06"],
  age_band: ["0-9", null, "120-129", "30-39", "40-49", "110-119", null],
  age_top: ["0-4", null, "90+", "35-39", "40-44", "90+", null],
  zip_prefix: ["SW1", null, null, null, "123", "é12", "SW1"],
  email_hash: PEOPLE.map((p) =>
    p.email === null ? null : nodeHmac(HASH_KEY.reveal(), String(p.email).trim().toLowerCase()),
  ),
  ssn_hash: PEOPLE.map((p) => (p.ssn === null ? null : nodeHmac(HASH_KEY.reveal(), String(p.ssn)))),
  card_token: PEOPLE.map((p) => (p.card === null ? null : nodeToken(String(p.card)))),
};

/** One policy per kind over the people; their outputs are named as in {@link EXPECTED}. */
export const KIND_POLICIES: Record<string, DatasetPolicy> = {
  mask: defineDatasetPolicy({
    dataset: "people",
    columns: { email: { mask: "email", as: "email_masked" }, phone: { mask: "last4", as: "phone_masked" } },
  }),
  hash: defineDatasetPolicy({
    dataset: "people",
    columns: { email: { hash: {}, as: "email_hash" }, ssn: { hash: {}, as: "ssn_hash" } },
  }),
  tokenize: defineDatasetPolicy({ dataset: "people", columns: { card: { tokenize: {}, as: "card_token" } } }),
  redact: defineDatasetPolicy({
    dataset: "people",
    columns: {
      ssn: [
        { redact: true, as: "ssn_text" },
        { redact: "null", as: "ssn_null" },
      ],
    },
  }),
  drop: defineDatasetPolicy({ dataset: "people", columns: { ssn: "drop", card: { drop: true } } }),
  generalize: defineDatasetPolicy({
    dataset: "people",
    columns: {
      birth: [
        { generalize: "year", as: "birth_year" },
        { generalize: "month", as: "birth_month" },
      ],
      age: [
        { generalize: "age", as: "age_band" },
        { generalize: { age: { width: 5, top: 90 } }, as: "age_top" },
      ],
      zip: { generalize: "postcode", as: "zip_prefix" },
    },
  }),
};

/** The columns each kind policy leaves, in order. */
export const KIND_COLUMNS: Record<string, string[]> = {
  mask: ["id", "email_masked", "phone_masked", "card", "ssn", "birth", "age", "zip"],
  hash: ["id", "email_hash", "phone", "card", "ssn_hash", "birth", "age", "zip"],
  tokenize: ["id", "email", "phone", "card_token", "ssn", "birth", "age", "zip"],
  redact: ["id", "email", "phone", "card", "ssn_text", "ssn_null", "birth", "age", "zip"],
  drop: ["id", "email", "phone", "birth", "age", "zip"],
  generalize: [
    "id",
    "email",
    "phone",
    "card",
    "ssn",
    "birth_year",
    "birth_month",
    "age_band",
    "age_top",
    "zip_prefix",
  ],
};

/** What `kind`'s policy should give for the people, in id order. */
export function expectedRows(kind: string): Row[] {
  return PEOPLE.map((person, i) =>
    Object.fromEntries(KIND_COLUMNS[kind]!.map((c) => [c, c in EXPECTED ? EXPECTED[c]![i] : person[c]])),
  );
}
