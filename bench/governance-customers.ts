/**
 * The customers CSV of the governance benchmark: the shared datagen's (`customersCsv`, the
 * same file `bench/batch.ts` reads) when `../shared/datagen/` is there, else rows of the
 * same shape generated here (same header, types and value formats: names, emails,
 * `+1-555-ddd-dddd` phones, dates in 2024, a few defects), so the bench runs in a checkout
 * without the shared folder (or with `WEIR_BENCH_BUILTIN_DATA=1`). The two are not
 * byte-identical; the report says which was used.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR, customersCsv, REPO_ROOT } from "./customers-csv.js";

export interface CustomersFile {
  path: string;
  generator: "datagen" | "builtin";
}

const DATAGEN = path.resolve(REPO_ROOT, "../shared/datagen/datagen.mjs");

/** `rows` generated customers as CSV: datagen's when it is installed, the builtin generator's otherwise. */
export function governanceCustomersCsv(rows: number): CustomersFile {
  if (existsSync(DATAGEN) && process.env.WEIR_BENCH_BUILTIN_DATA !== "1") {
    return { path: customersCsv(rows), generator: "datagen" };
  }
  const file = path.join(BENCH_DIR, `customers_builtin_${rows}.csv`);
  if (!existsSync(file)) {
    mkdirSync(BENCH_DIR, { recursive: true });
    // A temporary name first: an interrupted generation is never taken for a finished one.
    const partial = `${file}.partial-${process.pid}`;
    writeBuiltinCustomers(partial, rows);
    renameSync(partial, file);
  }
  return { path: file, generator: "builtin" };
}

const FIRST = ["james", "mary", "john", "patricia", "robert", "jennifer", "sofia", "lukas", "emma", "noah"];
const LAST = [
  "smith",
  "johnson",
  "garcia",
  "miller",
  "mueller",
  "schmidt",
  "rossi",
  "tanaka",
  "kim",
  "silva",
];
const DOMAINS = ["gmail.com", "gmail.com", "yahoo.com", "outlook.com", "proton.me", "example.com", "web.de"];
const COUNTRIES = ["US", "US", "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "JP", "BR", "CA", "AU"];
const DAY_MS = 86_400_000;
const YEAR_START = Date.UTC(2024, 0, 1);
const YEAR_SECONDS = 366 * 86_400;

/** mulberry32: seeded, so the same rows every time. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const timestamp = (seconds: number) =>
  new Date(YEAR_START + seconds * 1000).toISOString().slice(0, 19).replace("T", " ");

function writeBuiltinCustomers(file: string, rows: number): void {
  const random = seeded(42);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  const fd = openSync(file, "w");
  let chunk = "customer_id,name,email,registration_date,last_activity,updated_at,age,phone,country\n";
  try {
    for (let i = 1; i <= rows; i++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const registered = int(366);
      const active = registered * 86_400 + int(YEAR_SECONDS - registered * 86_400);
      const updated = active + int(YEAR_SECONDS - active);
      // About 0.5% of rows carry one defect, as datagen's do: no id, an email without '@', an age out of range.
      const defect = random() < 0.005 ? 1 + int(3) : 0;
      const id = defect === 1 ? "" : String(i);
      let email = `${first}.${last}${int(1000)}@${pick(DOMAINS)}`;
      if (defect === 2) email = email.replace("@", "_at_");
      const age = defect === 3 ? 150 : 18 + int(62);
      const phone = `+1-555-${String(int(1000)).padStart(3, "0")}-${String(int(10000)).padStart(4, "0")}`;
      const date = new Date(YEAR_START + registered * DAY_MS).toISOString().slice(0, 10);
      chunk +=
        `${id},${capital(first)} ${capital(last)},${email},${date},${timestamp(active)},` +
        `${timestamp(updated)},${age},${phone},${pick(COUNTRIES)}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = "";
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
