/**
 * Data for the warehouse example: daily users snapshots (`users/users_<date>.csv`) and
 * user events split by event date (`events/events_<date>.ndjson`), for `days` days from
 * 2024-06-01. It uses the shared generator (`../shared/datagen/datagen.mjs`, whose ground
 * truth it returns) when it sits next to the repository, else a builtin one of the same
 * shape: day 0 holds users 1..N; each later day ~1% of users change (segment, email or
 * is_active), N/200 register and ~0.1% delete their account; events reference users
 * 1..U (U > N, so some events come before their user registers), ~0.1% malformed lines.
 *
 * Events are spread evenly over the days (the shared generator's events are 40 ms apart;
 * their times are stretched), and each event is written to the file of its event date;
 * a malformed line goes with the line before it.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface DayTruth {
  date: string;
  users: number;
  changed_today: number;
  new_today: number;
  deleted_today: number;
}

export interface WarehouseData {
  usersDir: string;
  eventsDir: string;
  days: DayTruth[];
  events: { lines: number; malformed: number };
  source: "datagen" | "builtin";
}

const DATAGEN = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/datagen/datagen.mjs");
const START = Date.parse("2024-06-01T00:00:00Z");
const DAY_MS = 86_400_000;

export function dateOfDay(day: number): string {
  return new Date(START + day * DAY_MS).toISOString().slice(0, 10);
}

export function generateWarehouseData(
  dir: string,
  options: { users: number; events: number; days?: number; seed?: number; preferDatagen?: boolean },
): WarehouseData {
  const days = options.days ?? 7;
  const seed = options.seed ?? 7;
  const usersDir = join(dir, "users");
  const eventsDir = join(dir, "events");
  rmSync(usersDir, { recursive: true, force: true });
  rmSync(eventsDir, { recursive: true, force: true });
  mkdirSync(usersDir, { recursive: true });
  mkdirSync(eventsDir, { recursive: true });
  // Events also reference users who register during the period (their facts get the unknown member first).
  const eventUsers = options.users + Math.max(1, Math.floor(options.users / 100));
  const useDatagen = (options.preferDatagen ?? true) && existsSync(DATAGEN);
  const truths: DayTruth[] = [];
  let rawEvents: string;
  if (useDatagen) {
    for (let day = 0; day < days; day++) {
      const out = join(usersDir, `users_${dateOfDay(day)}.csv`);
      truths.push(
        datagen(["users", String(options.users), out, String(seed), String(day)]) as unknown as DayTruth,
      );
    }
    rawEvents = join(dir, "events.raw.ndjson");
    datagen(["user-events", String(options.events), rawEvents, String(seed), String(eventUsers)]);
  } else {
    const population = new BuiltinUsers(options.users, seed);
    for (let day = 0; day < days; day++) {
      if (day > 0) population.advance(day);
      truths.push(population.write(join(usersDir, `users_${dateOfDay(day)}.csv`), day));
    }
    rawEvents = join(dir, "events.raw.ndjson");
    writeBuiltinEvents(rawEvents, options.events, eventUsers, seed);
  }
  const events = splitByDay(rawEvents, eventsDir, options.events, days);
  rmSync(rawEvents, { force: true });
  return { usersDir, eventsDir, days: truths, events, source: useDatagen ? "datagen" : "builtin" };
}

function datagen(args: string[]): Record<string, unknown> {
  const result = spawnSync(process.execPath, [DATAGEN, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`datagen ${args.join(" ")} failed: ${result.stderr?.toString()}`);
  return JSON.parse(result.stderr.toString().trim().split("\n").pop()!) as Record<string, unknown>;
}

/** Stretches the events' times over `days` days and writes each to its event date's file. */
function splitByDay(
  raw: string,
  eventsDir: string,
  count: number,
  days: number,
): { lines: number; malformed: number } {
  const text = readFileSync(raw, "utf8");
  const stretch = (days * DAY_MS) / (count * 40 + 1);
  const files = new Map<string, { fd: number; lines: string[] }>();
  const fileOf = (date: string) => {
    let f = files.get(date);
    if (!f) {
      f = { fd: openSync(join(eventsDir, `events_${date}.ndjson`), "w"), lines: [] };
      files.set(date, f);
    }
    return f;
  };
  let lastDate = dateOfDay(0);
  let lines = 0;
  let malformed = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    lines++;
    let event: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (
        parsed &&
        typeof parsed === "object" &&
        typeof (parsed as { timestamp?: unknown }).timestamp === "string"
      ) {
        event = parsed as Record<string, unknown>;
      }
    } catch {
      event = undefined;
    }
    if (!event) {
      malformed++;
      fileOf(lastDate).lines.push(line);
      continue;
    }
    const at = Date.parse(event.timestamp as string);
    const stretched = Math.min(
      START + days * DAY_MS - 1,
      Math.max(START, START + Math.round((at - START) * stretch)),
    );
    event.timestamp = new Date(stretched).toISOString();
    lastDate = (event.timestamp as string).slice(0, 10);
    const f = fileOf(lastDate);
    f.lines.push(JSON.stringify(event));
    if (f.lines.length >= 20_000) {
      writeSync(f.fd, `${f.lines.join("\n")}\n`);
      f.lines = [];
    }
  }
  for (const f of files.values()) {
    if (f.lines.length > 0) writeSync(f.fd, `${f.lines.join("\n")}\n`);
    closeSync(f.fd);
  }
  return { lines, malformed };
}

/** mulberry32: small, seeded, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID (v4 layout) that depends only on the user's number and the seed. */
export function builtinUserId(n: number, seed: number): string {
  const r = prng(n * 7919 + seed * 104729);
  const hex = () => Math.floor(r() * 16).toString(16);
  const part = (k: number) => Array.from({ length: k }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

const FIRST = ["Jennifer", "Lucia", "Ahmed", "Mei", "Olga", "Tom", "Ana", "Kofi", "Sara", "Ivan"];
const LAST = ["Novak", "Wilson", "Garcia", "Kim", "Smith", "Rossi", "Dubois", "Okafor", "Tanaka", "Berg"];
const DOMAINS = ["yahoo.com", "outlook.com", "gmail.com", "proton.me"];
const SEGMENTS = ["basic", "premium", "enterprise"];

interface BuiltinUser {
  n: number;
  email: string;
  first: string;
  last: string;
  registered: string;
  segment: string;
  active: boolean;
  updated: string;
}

class BuiltinUsers {
  private readonly users = new Map<number, BuiltinUser>();
  private next: number;
  private readonly random: () => number;
  private changedToday = 0;
  private newToday = 0;
  private deletedToday = 0;

  constructor(
    private readonly size: number,
    private readonly seed: number,
  ) {
    this.random = prng(seed * 31 + 3);
    for (let n = 1; n <= size; n++) this.users.set(n, this.make(n, "2024-06-01 00:00:00"));
    this.next = size + 1;
  }

  private make(n: number, updated: string): BuiltinUser {
    const r = this.random;
    const first = FIRST[Math.floor(r() * FIRST.length)]!;
    const last = LAST[Math.floor(r() * LAST.length)]!;
    const registered = new Date(Date.parse("2022-01-01T00:00:00Z") + Math.floor(r() * 880) * DAY_MS);
    return {
      n,
      email: `${first.toLowerCase()}.${last.toLowerCase()}${n}@${DOMAINS[Math.floor(r() * DOMAINS.length)]}`,
      first,
      last,
      registered: registered.toISOString().slice(0, 10),
      segment: SEGMENTS[Math.floor(r() * SEGMENTS.length)]!,
      active: r() < 0.9,
      updated,
    };
  }

  advance(day: number): void {
    const r = this.random;
    const stamp = `${dateOfDay(day)} 00:00:00`;
    this.changedToday = 0;
    this.newToday = 0;
    this.deletedToday = 0;
    for (const user of this.users.values()) {
      const x = r();
      if (x < 0.001) {
        this.users.delete(user.n);
        this.deletedToday++;
      } else if (x < 0.011) {
        const kind = r();
        if (kind < 0.6) user.segment = SEGMENTS[(SEGMENTS.indexOf(user.segment) + 1) % SEGMENTS.length]!;
        else if (kind < 0.85)
          user.email = `${user.first.toLowerCase()}.${user.last.toLowerCase()}${user.n}.${day}@${DOMAINS[0]}`;
        else user.active = !user.active;
        user.updated = stamp;
        this.changedToday++;
      }
    }
    for (let i = 0; i < Math.floor(this.size / 200); i++) {
      this.users.set(this.next, { ...this.make(this.next, stamp), registered: dateOfDay(day) });
      this.next++;
      this.newToday++;
    }
  }

  write(file: string, day: number): DayTruth {
    const rows = ["user_id,email,first_name,last_name,registration_date,user_segment,is_active,updated_at"];
    for (const u of this.users.values()) {
      rows.push(
        [
          builtinUserId(u.n, this.seed),
          u.email,
          u.first,
          u.last,
          u.registered,
          u.segment,
          u.active,
          u.updated,
        ].join(","),
      );
    }
    const fd = openSync(file, "w");
    writeSync(fd, `${rows.join("\n")}\n`);
    closeSync(fd);
    return {
      date: dateOfDay(day),
      users: this.users.size,
      changed_today: this.changedToday,
      new_today: this.newToday,
      deleted_today: this.deletedToday,
    };
  }
}

const TYPES = [
  "page_view",
  "page_view",
  "page_view",
  "page_view",
  "page_view",
  "click",
  "click",
  "purchase",
  "signup",
  "logout",
];
const MALFORMED = ["#corrupt", "user_id=81250;type=page_view", '{"user_id": "u1", "event_type": '];

function writeBuiltinEvents(file: string, count: number, users: number, seed: number): void {
  const r = prng(seed * 17 + 4);
  const fd = openSync(file, "w");
  let lines: string[] = [];
  let clock = START;
  const sessions = new Map<number, { id: string; last: number }>();
  for (let i = 1; i <= count; i++) {
    clock += Math.floor(r() * 80);
    if (r() < 0.001) {
      lines.push(MALFORMED[Math.floor(r() * MALFORMED.length)]!);
    } else {
      const n = Math.min(users, 1 + Math.floor(users * r() ** 2));
      const late = r() < 0.01 ? Math.floor(r() * 600_000) : 0;
      const at = clock - late;
      let session = sessions.get(n);
      if (!session || at - session.last > 30 * 60_000) {
        session = { id: builtinUserId(1_000_000 + i, seed + 1), last: at };
        sessions.set(n, session);
      }
      session.last = Math.max(session.last, at);
      const type = TYPES[Math.floor(r() * TYPES.length)]!;
      lines.push(
        JSON.stringify({
          event_id: i,
          user_id: builtinUserId(n, seed),
          event_type: type,
          timestamp: new Date(Math.max(START, at)).toISOString(),
          session_id: session.id,
          page_url: "https://shop.example.com/home",
          referrer_url: r() < 0.3 ? null : "https://duckduckgo.com/",
          properties: type === "purchase" ? { amount: Math.round(r() * 20000) / 100, currency: "EUR" } : {},
        }),
      );
    }
    if (lines.length >= 20_000) {
      writeSync(fd, `${lines.join("\n")}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) writeSync(fd, `${lines.join("\n")}\n`);
  closeSync(fd);
}
