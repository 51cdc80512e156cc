import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWeir } from "../support/weir-process.js";

// `weir pii scan <file>` reads the file as `weir profile` does (no home needed) and prints
// each column's PII classes; finding PII is not an error.
const dir = mkdtempSync(join(tmpdir(), "weir-pii-cli-"));
const home = join(dir, "home");
const csv = join(dir, "customers.csv");
const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: home });

const FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Felix"];
const LAST = ["Müller", "Smith", "García", "Rossi", "Nowak"];

beforeAll(() => {
  // The customer data's shape (examples/customers/seed.ts), plus order numbers that fail Luhn.
  const lines = ["customer_id,name,email,registration_date,phone,country,order_number,comment"];
  for (let i = 0; i < 300; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[i % LAST.length]!;
    const phone = `+49 ${150 + (i % 30)} ${String((i * 7919) % 1e7).padStart(7, "0")}`;
    const order = `4111111111${String(100000 + i)}`;
    const orderFailingLuhn = order.slice(0, 15) + String((Number(order[15]) + 1) % 10);
    const comment = i % 3 === 0 ? `"reach me at ${first.toLowerCase()}${i}@web.de"` : "ok";
    lines.push(
      `${100000 + i},${first} ${last},${first.toLowerCase()}.${i}@gmail.com,2024-01-${String((i % 28) + 1).padStart(2, "0")},${phone},DE,${isLuhn(orderFailingLuhn) ? order : orderFailingLuhn},${comment}`,
    );
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe("weir pii scan <file>", () => {
  it("prints each column's classes as JSON and exits 0", async () => {
    const r = await weir("pii", "scan", csv, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ target: csv, rowsScanned: 300, sampleRows: 10000 });
    expect(report.read).toMatchObject({ source: "csv", rowsRead: 300, rowsLoaded: 300, rejected: 0 });
    const classes = Object.fromEntries(
      report.columns.map((c: { column: string; classes: { class: string; suggestedPolicy: string }[] }) => [
        c.column,
        c.classes.map((f) => `${f.class}/${f.suggestedPolicy}`).join(","),
      ]),
    );
    expect(classes).toEqual({
      customer_id: "",
      name: "person_name/redact",
      email: "email/hash",
      registration_date: "",
      phone: "phone/mask",
      country: "",
      order_number: "",
      comment: "email/mask",
    });
    const email = report.columns.find((c: { column: string }) => c.column === "email");
    expect(email.classes[0]).toMatchObject({ confidence: 1, matchedShare: 1, evidence: "name+values" });
  });

  it("prints a table for people, reads only the sample asked for, and refuses a bad --sample", async () => {
    const r = await weir("pii", "scan", csv, "--sample", "50");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`read ${csv} (csv): 300 rows: 300 loaded`);
    expect(r.stdout).toMatch(/^email\s+varchar\s+email\s+1\.00\s+100\.0%\s+name\+values\s+hash$/m);
    expect(r.stdout).toMatch(/^order_number\s+\w+\s+-$/m);
    expect(r.stdout).toContain(
      `${csv}: 4 of 8 columns hold PII (50 rows checked: the first 50; --full checks every row)`,
    );

    const full = await weir("pii", "scan", csv, "--full", "--json");
    expect(full.code).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ rowsScanned: 300, sampleRows: "all" });

    const bad = await weir("pii", "scan", csv, "--sample", "zero");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --sample "zero"');
  });
});
