import { describe, expect, it } from "vitest";
import { ColumnTally, classConfidence, classifyColumn } from "./classify-column.js";
import { luhnValid } from "./detectors/luhn.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Greta", "Hugo"];
const LAST = ["Müller", "Smith", "García", "Rossi", "Nowak", "Jansen", "Dubois", "Silva"];
/** Values shaped as `examples/customers/seed.ts` makes them. */
const names = range(200).map((i) => `${FIRST[i % 8]} ${LAST[(i * 3) % 8]}`);
const emails = range(200).map(
  (i) => `${FIRST[i % 8]!.toLowerCase()}.${LAST[(i * 3) % 8]!.toLowerCase()}${i}@gmail.com`,
);
const phones = range(200).map((i) => `+49 ${150 + (i % 30)} ${String((i * 7919) % 1e7).padStart(7, "0")}`);

const summary = (column: string, type: Parameters<typeof classifyColumn>[1], values: unknown[]) =>
  classifyColumn(column, type, values).map((f) => `${f.class}:${f.evidence}:${f.suggestedPolicy}`);

describe("classifyColumn", () => {
  it("finds the customer data's email, phone and name columns", () => {
    expect(classifyColumn("email", "varchar", emails)).toEqual([
      { class: "email", confidence: 1, matchedShare: 1, suggestedPolicy: "hash", evidence: "name+values" },
    ]);
    expect(summary("phone", "varchar", phones)).toEqual(["phone:name+values:mask"]);
    expect(summary("name", "varchar", names)).toEqual(["person_name:name+values:redact"]);
    // The same values under names that do not hint: strict classes still found, names not.
    expect(summary("contact", "varchar", emails)).toEqual(["email:values:hash"]);
    expect(summary("label", "varchar", names)).toEqual([]);
  });

  it("keeps NULLs and blanks out of the shares, and reports a partly-filled column", () => {
    const [email] = classifyColumn("email", "varchar", [
      ...emails.slice(0, 50),
      ...range(50).map(() => null),
      "",
      "  ",
    ]);
    expect(email).toMatchObject({ class: "email", matchedShare: 1 });
    const partly = classifyColumn("contact", "varchar", [
      ...emails.slice(0, 30),
      ...range(70).map((i) => `ref ${i}`),
    ]);
    expect(partly).toEqual([
      { class: "email", confidence: 0.65, matchedShare: 0.3, suggestedPolicy: "hash", evidence: "values" },
    ]);
  });

  it("does not take order numbers failing Luhn for cards, even in a column named like one", () => {
    const failing = range(500).map((i) => {
      const body = `41111111${String(i).padStart(7, "0")}`;
      const d = range(10).find((x) => !luhnValid(`${body}${x}`))!;
      return `${body}${d}`;
    });
    expect(summary("order_number", "varchar", failing)).toEqual([]);
    expect(summary("card_number", "varchar", failing)).toEqual([]);
    // Sequential 16-digit order numbers with a Visa prefix: one in ten passes Luhn by chance.
    const sequential = range(1000).map((i) => String(4_000_000_000_000_000n + BigInt(i)));
    expect(sequential.filter(luhnValid).length).toBe(100);
    expect(summary("order_number", "varchar", sequential)).toEqual([]);
    expect(summary("order_number", "bigint", sequential.map(BigInt))).toEqual([]);
  });

  it("finds cards stored as text or as BIGINT", () => {
    const cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"];
    expect(summary("pan", "varchar", cards)).toEqual(["payment_card:name+values:tokenize"]);
    expect(summary("x", "bigint", cards.map(BigInt))).toEqual(["payment_card:values:tokenize"]);
  });

  it("does not take 9-digit ids that are invalid SSNs, nor plain numeric ids, for SSNs", () => {
    const invalid = range(300).map(
      (i) =>
        [
          `9${String(i).padStart(8, "0")}`,
          `000${String(i).padStart(6, "1")}`,
          `666${String(i).padStart(6, "1")}`,
        ][i % 3]!,
    );
    expect(summary("customer_id", "varchar", invalid)).toEqual([]);
    expect(summary("ssn", "varchar", invalid)).toEqual([]);
    expect(summary("ssn", "bigint", invalid.map(Number))).toEqual([]);
    expect(
      summary(
        "customer_id",
        "bigint",
        range(1000).map((i) => 100_000 + i),
      ),
    ).toEqual([]);
    // Format-valid 9-digit numbers are any id unless the column is named for SSNs.
    const valid = range(300).map((i) => String(123_450_000 + i + 1));
    expect(summary("account_ref", "varchar", valid)).toEqual([]);
    expect(summary("ssn", "varchar", valid)).toEqual(["ssn:name+values:tokenize"]);
    expect(summary("tax", "varchar", ["078-05-1120", "219-09-9999"])).toEqual(["ssn:values:tokenize"]);
  });

  it("finds nothing in UUIDs, timestamps, amounts, codes and free text without PII", () => {
    const uuids = range(100).map((i) => `550e8400-e29b-41d4-a716-${String(446655440000 + i)}`);
    expect(summary("id", "varchar", uuids)).toEqual([]);
    const timestamps = range(100).map(
      (i) => `2024-01-${String((i % 28) + 1).padStart(2, "0")} 12:${String(i % 60).padStart(2, "0")}:00`,
    );
    expect(summary("updated_at", "varchar", timestamps)).toEqual([]);
    expect(summary("updated_at", "timestamp", timestamps)).toEqual([]);
    expect(
      summary(
        "amount",
        "decimal",
        range(100).map((i) => `${i}.99`),
      ),
    ).toEqual([]);
    expect(
      summary(
        "country",
        "varchar",
        range(100).map((i) => ["DE", "FR", "US"][i % 3]),
      ),
    ).toEqual([]);
    const reviews = range(100).map((i) => `Great product, arrived in ${i % 5} days. Would buy again!`);
    expect(summary("review", "varchar", reviews)).toEqual([]);
  });

  it("flags a free-text column holding emails and phone numbers inside, to be masked", () => {
    const notes = range(100).map((i) =>
      i % 10 === 0
        ? `customer asked to be called at ${phones[i]} or mailed at ${emails[i]}`
        : `note ${i}: all fine`,
    );
    const found = classifyColumn("notes", "varchar", notes);
    expect(found.map((f) => `${f.class}:${f.evidence}:${f.suggestedPolicy}:${f.matchedShare}`)).toEqual([
      "email:text:mask:0.1",
      "phone:text:mask:0.1",
    ]);
  });

  it("finds a column of fictional +1-555 numbers (the shared datagen's) as phones", () => {
    const fictional = range(300).map(
      (i) =>
        `+1-555-${String((i * 7) % 1000).padStart(3, "0")}-${String((i * 7919) % 10_000).padStart(4, "0")}`,
    );
    expect(classifyColumn("phone", "varchar", fictional)).toEqual([
      { class: "phone", confidence: 1, matchedShare: 1, suggestedPolicy: "mask", evidence: "name+values" },
    ]);
    expect(summary("contact", "varchar", fictional)).toEqual(["phone:values:mask"]);
    // Too short for a +1 number: not a phone.
    expect(
      summary(
        "contact",
        "varchar",
        range(300).map((i) => `+1 555 ${10 + (i % 90)}`),
      ),
    ).toEqual([]);
  });

  it("counts a repeated value each time it occurs, though it is classified once", () => {
    const values = range(30_000).map((i) => ["ann@x.com", "n/a", "+1-555-123-4567"][i % 3]);
    const tally = new ColumnTally("contact", "varchar");
    tally.add(values.slice(0, 10_000));
    tally.add(values.slice(10_000));
    expect(tally.values).toBe(30_000);
    expect(tally.findings().map((f) => `${f.class}:${f.matchedShare}`)).toEqual([
      "email:0.3333",
      "phone:0.3333",
    ]);
  });

  it("still searches values holding two numbers, or text, for phones inside", () => {
    const two = range(50).map((i) => `${phones[i]} ${phones[i + 1]}`);
    expect(summary("contacts", "varchar", two)).toEqual(["phone:text:mask"]);
  });

  it("needs the column name for birth dates and takes the name alone with no values", () => {
    const births = range(100).map((i) => `19${50 + (i % 50)}-0${(i % 9) + 1}-1${i % 10}`);
    expect(summary("birth_date", "date", births)).toEqual(["date_of_birth:name+values:generalize"]);
    expect(summary("dob", "varchar", births)).toEqual(["date_of_birth:name+values:generalize"]);
    expect(summary("registration_date", "date", births)).toEqual([]);
    expect(summary("date_of_birth", "date", [null, null])).toEqual(["date_of_birth:name:generalize"]);
    // Values that are not birth dates outweigh the name.
    expect(
      summary(
        "date_of_birth",
        "varchar",
        range(10).map(() => "unknown"),
      ),
    ).toEqual([]);
    expect(summary("first_name", "varchar", [])).toEqual(["person_name:name:redact"]);
  });

  it("skips types no detector reads", () => {
    const tally = new ColumnTally("email", "boolean");
    expect(tally.checksValues).toBe(false);
    tally.add([true, false]);
    expect(tally.findings()).toEqual([]);
    expect(new ColumnTally("price", "double").checksValues).toBe(false);
  });
});

describe("classConfidence", () => {
  const strict = { chance: 0, weak: false };
  const card = { chance: 0.1, weak: false };
  const weak = { chance: 0, weak: true };

  it("grows with the share, above chance, and a name adds only to real evidence", () => {
    expect(classConfidence(strict, 0, true, 100)).toBe(0);
    expect(classConfidence(strict, 0.01, false, 100)).toBeCloseTo(0.505);
    expect(classConfidence(strict, 1, false, 100)).toBe(1);
    expect(classConfidence(card, 0.1, true, 100)).toBe(0);
    expect(classConfidence(card, 0.55, false, 100)).toBeCloseTo(0.5);
    expect(classConfidence(card, 0.3, true, 100)).toBeCloseTo(0.522, 3);
    expect(classConfidence(weak, 1, false, 100)).toBe(0.4);
    expect(classConfidence(weak, 0, true, 0)).toBe(0.6);
    expect(classConfidence(weak, 0, true, 10)).toBeCloseTo(0.3);
    expect(classConfidence(weak, 1, true, 10)).toBe(1);
  });
});
