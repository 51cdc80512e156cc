import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * User events for stream tests: the shared datagen's `user-events` when it is next to the
 * repository (`../shared/datagen`), else a seeded generator of the same shape (events
 * ~40 ms apart from 2024-06-01, ~1% late by up to 10 minutes, ~0.1% malformed lines,
 * five event types). Either way the lines are written to `file`.
 */
export interface GeneratedEvents {
  file: string;
  lines: number;
  /** Malformed lines (ground truth of the generator). */
  malformed: number;
  source: "datagen" | "builtin";
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DATAGEN = resolve(REPO, "../shared/datagen/datagen.mjs");
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
const MALFORMED = [
  "#corrupt",
  "user_id=81250;type=page_view",
  "<html>502 Bad Gateway</html>",
  '{"user_id": "u1", "event_type": ',
];

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidOf(n: number, seed: number): string {
  const r = prng(n * 7919 + seed);
  const hex = () => Math.floor(r() * 16).toString(16);
  const part = (k: number) => Array.from({ length: k }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export function generateUserEvents(
  file: string,
  events: number,
  options: { seed?: number; users?: number; preferDatagen?: boolean } = {},
): GeneratedEvents {
  const seed = options.seed ?? 42;
  const users = options.users ?? Math.max(10, Math.floor(events / 20));
  if ((options.preferDatagen ?? true) && existsSync(DATAGEN)) {
    const result = spawnSync(
      process.execPath,
      [DATAGEN, "user-events", String(events), file, String(seed), String(users)],
      {
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 1 << 20,
      },
    );
    if (result.status !== 0) throw new Error(`datagen failed: ${result.stderr?.toString()}`);
    const stderr = result.stderr.toString();
    const truth = JSON.parse(stderr.trim().split("\n").pop()!) as { lines: number; malformed: number };
    return { file, lines: truth.lines, malformed: truth.malformed, source: "datagen" };
  }
  const random = prng(seed);
  const ids = Array.from({ length: users }, (_, i) => uuidOf(i + 1, seed));
  // Written in chunks: millions of lines joined into one string exceed V8's string limit.
  const fd = openSync(file, "w");
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) writeSync(fd, `${lines.join("\n")}\n`);
    lines = [];
  };
  let malformed = 0;
  let clock = Date.parse("2024-06-01T00:00:00Z");
  for (let i = 1; i <= events; i++) {
    clock += Math.floor(random() * 80);
    if (random() < 0.001) {
      lines.push(MALFORMED[Math.floor(random() * MALFORMED.length)]!);
      malformed++;
      if (lines.length >= 50_000) flush();
      continue;
    }
    const late = random() < 0.01 ? Math.floor(random() * 600_000) : 0;
    const user = ids[Math.min(users - 1, Math.floor(users * random() ** 2))]!;
    const type = TYPES[Math.floor(random() * TYPES.length)]!;
    const event = {
      event_id: i,
      user_id: user,
      event_type: type,
      timestamp: new Date(clock - late).toISOString(),
      session_id: uuidOf(i % 5000, seed + 1),
      page_url: "https://shop.example.com/home",
      referrer_url: random() < 0.3 ? null : "https://duckduckgo.com/",
      properties: type === "purchase" ? { amount: Math.round(random() * 20000) / 100, currency: "EUR" } : {},
    };
    lines.push(JSON.stringify(event));
    if (lines.length >= 50_000) flush();
  }
  flush();
  closeSync(fd);
  return { file, lines: events, malformed, source: "builtin" };
}
