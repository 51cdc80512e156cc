import { z } from "zod";
import { issueFrom, PolicyIssue, type PolicyPath } from "./policy-issue.js";
import {
  type Generalization,
  HASH_NORMALIZATIONS,
  type HashNormalization,
  MASKS,
  type MaskKind,
  type PolicyOutput,
  REDACTIONS,
  type Redaction,
} from "./policy-types.js";

const KINDS = ["mask", "hash", "tokenize", "redact", "generalize", "drop"] as const;

const as = z.string().min(1, "must not be empty").optional();
/** `true` stands for "no options". */
const options = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === true ? {} : v), schema);

const SCHEMAS = {
  mask: z.object({ mask: z.enum(MASKS), as }).strict(),
  hash: z
    .object({ hash: options(z.object({ normalize: z.enum(HASH_NORMALIZATIONS).optional() }).strict()), as })
    .strict(),
  tokenize: z
    .object({ tokenize: options(z.object({ class: z.string().min(1).optional() }).strict()), as })
    .strict(),
  redact: z
    .object({ redact: z.preprocess((v) => (v === true ? "text" : v), z.enum(REDACTIONS)), as })
    .strict(),
  generalize: z.object({ generalize: z.unknown(), as }).strict(),
  drop: z.object({ drop: z.literal(true) }).strict(),
};

const bandWidth = z.number().int("must be a whole number").min(1);
const GENERALIZE = {
  named: z.enum(["year", "month", "age", "postcode"]),
  age: z
    .object({
      age: z.preprocess(
        (v) => (typeof v === "number" ? { width: v } : v),
        z.object({ width: bandWidth.default(10), top: bandWidth.optional() }).strict(),
      ),
    })
    .strict(),
  postcode: z
    .object({
      postcode: z.preprocess(
        (v) => (typeof v === "number" ? { prefix: v } : v),
        z.object({ prefix: bandWidth.default(3) }).strict(),
      ),
    })
    .strict(),
};

/** What one output of a column parses to: an output, or the column's drop. */
export type ParsedOutput = PolicyOutput | "drop";

/**
 * Parses one output of `column` found at `path`: exactly one kind key (mask, hash,
 * tokenize, redact, generalize, drop) and that kind's options. `as` defaults to the column.
 */
export function parsePolicyOutput(input: unknown, column: string, path: PolicyPath): ParsedOutput {
  if (input === "drop") return "drop";
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new PolicyIssue(path, `expected an output such as { mask: "email" }, { hash: {} } or "drop"`);
  }
  const kinds = KINDS.filter((k) => k in input);
  if (kinds.length === 0) {
    const keys = Object.keys(input);
    const unknown = keys.length > 0 ? ` (found ${keys.map((k) => JSON.stringify(k)).join(", ")})` : "";
    throw new PolicyIssue(path, `an output needs one of ${KINDS.join(", ")}${unknown}`);
  }
  if (kinds.length > 1) {
    throw new PolicyIssue(
      path,
      `one output does one thing, this one has ${kinds.join(" and ")}: list them as outputs with their own names, e.g. [{ hash: {}, as: "${column}_hash" }, { mask: "email", as: "${column}_masked" }]`,
    );
  }
  const kind = kinds[0]!;
  const parsed = SCHEMAS[kind].safeParse(input);
  if (!parsed.success) throw issueFrom(path, parsed.error);
  const data = parsed.data as Record<string, unknown> & { as?: string };
  const name = data.as ?? column;
  switch (kind) {
    case "drop":
      return "drop";
    case "mask":
      return { kind, as: name, mask: data.mask as MaskKind };
    case "hash": {
      const normalize =
        (data.hash as { normalize?: HashNormalization }).normalize ?? defaultNormalization(column);
      return { kind, as: name, normalize };
    }
    case "tokenize":
      return { kind, as: name, piiClass: (data.tokenize as { class?: string }).class ?? column };
    case "redact":
      return { kind, as: name, redact: data.redact as Redaction };
    case "generalize":
      return { kind, as: name, generalize: parseGeneralization(data.generalize, [...path, "generalize"]) };
  }
}

/**
 * Emails are compared without case or surrounding blanks (`Ann@X.com ` joins `ann@x.com`),
 * so a column named like one is normalised unless the policy says otherwise; any other
 * column is hashed as it is, since lower-casing would merge case-sensitive ids.
 */
function defaultNormalization(column: string): HashNormalization {
  return /e-?mail/i.test(column) ? "lower-trim" : "none";
}

function parseGeneralization(input: unknown, path: PolicyPath): Generalization {
  if (typeof input === "string") {
    const named = GENERALIZE.named.safeParse(input);
    if (!named.success) throw issueFrom(path, named.error);
    if (named.data === "age") return { to: "age", width: 10 };
    if (named.data === "postcode") return { to: "postcode", prefix: 3 };
    return { to: named.data };
  }
  if (typeof input === "object" && input !== null && "age" in input) {
    const parsed = GENERALIZE.age.safeParse(input);
    if (!parsed.success) throw issueFrom(path, parsed.error);
    const { width, top } = parsed.data.age;
    if (top !== undefined && top % width !== 0) {
      throw new PolicyIssue(
        [...path, "age", "top"],
        `top (${top}) must be a multiple of width (${width}), so the last band ends where "${top}+" starts`,
      );
    }
    return { to: "age", width, ...(top === undefined ? {} : { top }) };
  }
  if (typeof input === "object" && input !== null && "postcode" in input) {
    const parsed = GENERALIZE.postcode.safeParse(input);
    if (!parsed.success) throw issueFrom(path, parsed.error);
    return { to: "postcode", prefix: parsed.data.postcode.prefix };
  }
  throw new PolicyIssue(
    path,
    `generalize expects "year", "month", "age", "postcode", { age: <band width> } or { postcode: <prefix length> }`,
  );
}
