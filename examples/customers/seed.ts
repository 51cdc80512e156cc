/**
 * Generates the demo's source: a SQLite CRM database with a `customers` table of
 * deterministic, realistic rows (same seed → byte-identical data) spread over January
 * 2024, a few percent of them dirty in known ways so a run's quarantine can be checked
 * against what was planted.
 *
 * Run alone: `node --import tsx examples/customers/seed.ts [path]`.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export interface SeedOptions {
  /** The SQLite file to (re)create. */
  path: string;
  /** Clean customers before defects are added. Default 20,000. */
  rows?: number;
  seed?: number;
}

/** The defects planted, each in a disjoint set of rows, counted per day of `updated_at`. */
export interface DayCounts {
  /** Every row whose updated_at falls on the day (clean + dirty). */
  rows: number;
  nullIds: number;
  invalidEmails: number;
  agesOutOfRange: number;
  /** Older versions of a customer updated again later the same day (the later one is kept). */
  duplicateIds: number;
  unparsableDates: number;
}

export interface SeedReport {
  path: string;
  rows: number;
  byDay: Record<string, DayCounts>;
}

const FIRST = [
  "Anna",
  "Ben",
  "Chloé",
  "David",
  "Emma",
  "Felix",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Karin",
  "Luca",
  "Maya",
  "Noah",
  "Olga",
  "Paul",
  "Quinn",
  "Rosa",
  "Sven",
  "Tara",
  "Umar",
  "Vera",
  "Wim",
  "Xenia",
  "Yusuf",
  "Zoe",
];
const LAST = [
  "Müller",
  "Smith",
  "García",
  "Rossi",
  "Nowak",
  "Jansen",
  "Dubois",
  "Silva",
  "Kowalski",
  "Berg",
  "Novak",
  "Costa",
  "Weber",
  "Moreau",
  "Fischer",
  "Lindqvist",
  "Horvat",
  "Petrov",
  "Meyer",
  "Brown",
];
const DOMAINS = [
  "gmail.com",
  "outlook.com",
  "yahoo.com",
  "proton.me",
  "gmx.de",
  "web.de",
  "icloud.com",
  "acme.io",
];
const COUNTRIES = ["DE", "FR", "NL", "IT", "ES", "PL", "SE", "US", "GB", "AT"];
const BAD_EMAILS = [
  "john.doe@",
  "no-at-sign.example.com",
  "two@@example.com",
  "spaces in@example.com",
  "x@y",
];
const BAD_DATES = ["not-a-date", "2024-02-30", "2023-13-01", "15/01/2024", "yesterday"];
const DAY_MS = 86_400_000;
const JAN_1 = Date.UTC(2024, 0, 1);

/** mulberry32: a tiny seeded PRNG, so the data is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** "YYYY-MM-DD HH:MM:SS", the text form SQLite's datetime() uses. */
function sqlTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

type Defect = keyof Omit<DayCounts, "rows">;

/**
 * (Re)creates the CRM database at `options.path` and returns what was planted per day.
 *
 * @example
 * const report = seedCustomers({ path: ".weir/sources/crm.sqlite" });
 * report.byDay["2024-01-15"]; // { rows: 655, nullIds: 3, invalidEmails: 6, … }
 */
export function seedCustomers(options: SeedOptions): SeedReport {
  const random = prng(options.seed ?? 20240115);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const count = options.rows ?? 20_000;
  mkdirSync(dirname(resolve(options.path)), { recursive: true });
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${options.path}${suffix}`, { force: true });
  const db = new Database(options.path);
  db.exec(`CREATE TABLE customers (
    customer_id INTEGER,
    name TEXT NOT NULL,
    email TEXT,
    registration_date DATE,
    last_activity DATETIME,
    updated_at DATETIME NOT NULL,
    age INTEGER,
    phone TEXT,
    country TEXT
  )`);
  const insert = db.prepare("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const byDay: Record<string, DayCounts> = {};
  const tally = (updatedMs: number, defect?: Defect) => {
    const day = new Date(updatedMs).toISOString().slice(0, 10);
    let counts = byDay[day];
    if (!counts) {
      counts = {
        rows: 0,
        nullIds: 0,
        invalidEmails: 0,
        agesOutOfRange: 0,
        duplicateIds: 0,
        unparsableDates: 0,
      };
      byDay[day] = counts;
    }
    counts.rows++;
    if (defect) counts[defect]++;
  };
  let total = 0;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = 100_000 + i;
      const first = pick(FIRST);
      const last = pick(LAST);
      // Spread over 31 days; keep the last second of a day free so a duplicate can sit before it.
      const updated = JAN_1 + Math.floor(random() * 31 * DAY_MS);
      const registered = updated - Math.floor(random() * 5 * 365) * DAY_MS;
      const active = updated - Math.floor(random() * 90 * DAY_MS);
      const local = `${first}.${last}`
        .normalize("NFD")
        .replace(/[^A-Za-z.]/g, "")
        .toLowerCase();
      const row = {
        id: id as number | null,
        name: `${first} ${last}`,
        email: `${local}${id % 1000}@${pick(DOMAINS)}`,
        registration: new Date(registered).toISOString().slice(0, 10),
        active: sqlTime(active),
        updated: sqlTime(updated),
        age: 18 + Math.floor(random() * 70),
        phone: `+49 ${150 + Math.floor(random() * 30)} ${String(Math.floor(random() * 1e7)).padStart(7, "0")}`,
        country: pick(COUNTRIES),
      };
      // Disjoint defects: each dirty row has exactly one thing wrong, so every rejection
      // and quarantine reason can be counted against this plan.
      const roll = random();
      let defect: Defect | undefined;
      if (roll < 0.005) {
        defect = "nullIds";
        row.id = null;
      } else if (roll < 0.015) {
        defect = "invalidEmails";
        row.email = pick(BAD_EMAILS);
      } else if (roll < 0.022) {
        defect = "agesOutOfRange";
        row.age = pick([0, 7, 12, 121, 150, -1]);
      } else if (roll < 0.027) {
        defect = "unparsableDates";
        if (random() < 0.5) row.registration = pick(BAD_DATES);
        else row.active = pick(BAD_DATES);
      } else if (roll < 0.037 && updated % DAY_MS > 3_600_000) {
        // An older version of this customer earlier the same day: it must lose to the later one.
        const older = updated - 1_000 - Math.floor(random() * 3_000_000);
        insert.run(
          row.id,
          row.name,
          `old.${row.email}`,
          row.registration,
          row.active,
          sqlTime(older),
          row.age,
          row.phone,
          row.country,
        );
        tally(older, "duplicateIds");
        total++;
      }
      insert.run(
        row.id,
        row.name,
        row.email,
        row.registration,
        row.active,
        row.updated,
        row.age,
        row.phone,
        row.country,
      );
      tally(updated, defect);
      total++;
    }
  })();
  db.close();
  return { path: resolve(options.path), rows: total, byDay };
}

/** Where the demo keeps its source database: `<WEIR_HOME or .weir>/sources/crm.sqlite`. */
export function defaultSourcePath(home = process.env.WEIR_HOME ?? ".weir"): string {
  return resolve(join(home, "sources", "crm.sqlite"));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = seedCustomers({ path: process.argv[2] ?? defaultSourcePath() });
  console.log(`seeded ${report.rows} customers into ${report.path}`);
}
