import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { defineDatasetPolicy, parseDatasetPolicy } from "./define-dataset-policy.js";
import { policyFingerprint } from "./policy-state.js";
import type { DatasetPolicyInput } from "./policy-types.js";

function errorOf(input: unknown): ConfigError {
  try {
    parseDatasetPolicy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected the policy to be refused");
}

describe("defineDatasetPolicy", () => {
  it("normalises every kind, with defaults", () => {
    const policy = defineDatasetPolicy({
      dataset: "customers",
      columns: {
        email: [
          { hash: {}, as: "email_hash" },
          { mask: "email", as: "email_masked" },
        ],
        customer_ref: { hash: true, as: "ref_hash" },
        phone: { mask: "last4" },
        card: { tokenize: {}, as: "card_token" },
        iban: { tokenize: { class: "bank" } },
        ssn: { redact: true },
        nickname: { redact: "null" },
        birth_date: { generalize: "year" },
        age: { generalize: { age: { width: 5, top: 90 } } },
        age2: { generalize: "age" },
        zip: { generalize: { postcode: 2 } },
        zip2: { generalize: "postcode" },
        notes: "drop",
        notes2: { drop: true },
      },
      allowRaw: ["customer_id"],
    });
    expect(policy.dataset).toBe("customers");
    expect(policy.allowRaw).toEqual(["customer_id"]);
    const byColumn = Object.fromEntries(policy.columns.map((c) => [c.column, c.outputs]));
    expect(byColumn.email).toEqual([
      { kind: "hash", as: "email_hash", normalize: "lower-trim" },
      { kind: "mask", as: "email_masked", mask: "email" },
    ]);
    expect(byColumn.customer_ref).toEqual([{ kind: "hash", as: "ref_hash", normalize: "none" }]);
    expect(byColumn.phone).toEqual([{ kind: "mask", as: "phone", mask: "last4" }]);
    expect(byColumn.card).toEqual([{ kind: "tokenize", as: "card_token", piiClass: "card" }]);
    expect(byColumn.iban).toEqual([{ kind: "tokenize", as: "iban", piiClass: "bank" }]);
    expect(byColumn.ssn).toEqual([{ kind: "redact", as: "ssn", redact: "text" }]);
    expect(byColumn.nickname).toEqual([{ kind: "redact", as: "nickname", redact: "null" }]);
    expect(byColumn.birth_date).toEqual([
      { kind: "generalize", as: "birth_date", generalize: { to: "year" } },
    ]);
    expect(byColumn.age![0]).toMatchObject({ generalize: { to: "age", width: 5, top: 90 } });
    expect(byColumn.age2![0]).toMatchObject({ generalize: { to: "age", width: 10 } });
    expect(byColumn.zip![0]).toMatchObject({ generalize: { to: "postcode", prefix: 2 } });
    expect(byColumn.zip2![0]).toMatchObject({ generalize: { to: "postcode", prefix: 3 } });
    expect(byColumn.notes).toEqual([]);
    expect(byColumn.notes2).toEqual([]);
  });

  it("fingerprints equal policies equally, whatever the key order", () => {
    const a = defineDatasetPolicy({ dataset: "d", columns: { x: { mask: "last4", as: "y" } } });
    const b = parseDatasetPolicy({ columns: { x: { as: "y", mask: "last4" } }, dataset: "d" });
    const c = defineDatasetPolicy({ dataset: "d", columns: { x: { mask: "email", as: "y" } } });
    expect(policyFingerprint(a)).toBe(policyFingerprint(b));
    expect(policyFingerprint(a)).not.toBe(policyFingerprint(c));
  });

  it.each<[string, unknown, RegExp]>([
    [
      "an unknown kind",
      { dataset: "customers", columns: { email: { scramble: true } } },
      /policy "customers", column "email": an output needs one of mask, hash, tokenize, redact, generalize, drop \(found "scramble"\)/,
    ],
    [
      "two kinds in one output",
      { dataset: "customers", columns: { email: { hash: {}, mask: "email" } } },
      /column "email": one output does one thing, this one has mask and hash/,
    ],
    [
      "a bad mask",
      { dataset: "customers", columns: { phone: { mask: "last3" } } },
      /column "phone": mask: Invalid option: expected one of "email"\|"last4"/,
    ],
    [
      "a bad normalisation",
      {
        dataset: "customers",
        columns: {
          email: [
            { hash: { normalize: "upper" }, as: "h" },
            { mask: "email", as: "m" },
          ],
        },
      },
      /column "email" output 1: hash.normalize: Invalid option/,
    ],
    [
      "an unknown option",
      { dataset: "customers", columns: { card: { tokenize: { klass: "x" } } } },
      /column "card": tokenize: Unrecognized key: "klass"/,
    ],
    [
      "a bad generalisation",
      { dataset: "customers", columns: { birth: { generalize: "decade" } } },
      /column "birth": Invalid option: expected one of "year"\|"month"\|"age"\|"postcode"/,
    ],
    [
      "a top that is no multiple of the width",
      { dataset: "customers", columns: { age: { generalize: { age: { width: 10, top: 85 } } } } },
      /column "age": top \(85\) must be a multiple of width \(10\)/,
    ],
    [
      "a zero band width",
      { dataset: "customers", columns: { age: { generalize: { age: 0 } } } },
      /column "age": age.width: Too small/,
    ],
    [
      "two outputs with the column's name",
      { dataset: "customers", columns: { email: [{ hash: {} }, { mask: "email" }] } },
      /column "email" output 1: has several outputs, so each needs its own name/,
    ],
    [
      "drop combined with an output",
      { dataset: "customers", columns: { email: [{ hash: {}, as: "h" }, "drop"] } },
      /column "email": drop cannot be combined/,
    ],
    [
      "an output named like another column's",
      { dataset: "customers", columns: { a: { hash: {}, as: "x" }, b: { mask: "last4", as: "x" } } },
      /column "b": writes a column "x" that an output of column "a" writes too/,
    ],
    [
      "allowRaw with an output in place",
      { dataset: "customers", columns: { email: { hash: {} } }, allowRaw: ["email"] },
      /column "email": is in allowRaw, so its raw value keeps the name/,
    ],
    ["no dataset", { columns: { a: "drop" } }, /policy: dataset: Invalid input: expected string/],
    [
      "no columns",
      { dataset: "customers", columns: {} },
      /policy "customers": a policy needs at least one column/,
    ],
    [
      "an unknown top-level key",
      { dataset: "customers", columns: { a: "drop" }, allowraw: [] },
      /Unrecognized key: "allowraw"/,
    ],
  ])("refuses %s, naming the dataset and column", (_name, input, message) => {
    expect(errorOf(input).message).toMatch(message);
  });

  it("puts the dataset and column in the error's details", () => {
    const error = errorOf({ dataset: "customers", columns: { phone: { mask: "x" } } });
    expect(error.details).toMatchObject({
      dataset: "customers",
      column: "phone",
      path: "columns.phone.mask",
    });
  });

  it("is typed: a policy of the wrong shape does not compile", () => {
    // @ts-expect-error mask takes "email" or "last4"
    const input: DatasetPolicyInput = { dataset: "d", columns: { a: { mask: "all" } } };
    expect(() => defineDatasetPolicy(input)).toThrow(ConfigError);
  });
});
