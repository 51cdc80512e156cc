import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Daily user snapshots for SCD2 tests: the users table as it stands on 2024-06-01 + `day`,
 * as CSV `user_id,email,first_name,last_name,registration_date,user_segment,is_active,updated_at`,
 * with the ground truth datagen prints. `userSnapshot` runs the shared generator
 * (`../shared/datagen/datagen.mjs users …`) when it is there and otherwise the copy below,
 * which writes the same bytes and counts (a test checks it against datagen when both exist).
 */
export interface UserSnapshotTruth {
  day: number;
  date: string;
  users: number;
  changed_today: number;
  new_today: number;
  deleted_today: number;
  changed_total: number;
  new_total: number;
  deleted_total: number;
}

export const DATAGEN = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/datagen/datagen.mjs");

export function datagenAvailable(): boolean {
  return existsSync(DATAGEN);
}

/** Writes the snapshot of `day` to `path` (datagen when present, else the builtin copy). */
export function userSnapshot(n: number, path: string, seed: number, day: number): UserSnapshotTruth {
  return datagenAvailable() ? datagenUsers(n, path, seed, day) : writeUserSnapshot(n, path, seed, day);
}

/** Runs the shared generator; its ground truth is the JSON line on stderr. */
export function datagenUsers(n: number, path: string, seed: number, day: number): UserSnapshotTruth {
  const run = spawnSync(process.execPath, [DATAGEN, "users", String(n), path, String(seed), String(day)], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`datagen users failed (${run.status}): ${run.stderr}`);
  const stderr = run.stderr;
  return truthOf(JSON.parse(stderr.trim().split("\n").pop()!));
}

function truthOf(stats: Record<string, unknown>): UserSnapshotTruth {
  const keys = [
    "day",
    "users",
    "changed_today",
    "new_today",
    "deleted_today",
    "changed_total",
    "new_total",
    "deleted_total",
  ] as const;
  const truth = { date: String(stats.date) } as UserSnapshotTruth;
  for (const k of keys) truth[k] = Number(stats[k]);
  return truth;
}

/** The builtin copy of datagen's `users` kind: same hashing, same rules, same output. */
export function writeUserSnapshot(n: number, path: string, seed: number, day: number): UserSnapshotTruth {
  const hash32 = (a: number, b: number, c: number) => {
    let h =
      Math.imul((a | 0) ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul((b | 0) + 0x7f4a7c15, 0xc2b2ae35) ^
      Math.imul((c | 0) + 0x165667b1, 0x27d4eb2f) ^
      Math.imul(seed | 0, 0x61c88647);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    return h >>> 0;
  };
  const hex8 = (x: number) => x.toString(16).padStart(8, "0");
  const userUuid = (u: number) => {
    const tag = 101;
    const a = hash32(tag, u, 0);
    const b = hash32(tag + 1, u, 0);
    const c = hash32(tag + 2, u, 0);
    const d = hash32(tag + 3, u, 0);
    const hb = hex8(b);
    const hc = hex8(((c & 0x3fffffff) | 0x80000000) >>> 0);
    return `${hex8(a)}-${hb.slice(0, 4)}-4${hb.slice(5, 8)}-${hc.slice(0, 4)}-${hc.slice(4)}${hex8(d)}`;
  };
  // datagen's name lists, in its order.
  const FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda Sofia Lukas Emma Noah Aiko Hiro Priya " +
    "Arjun Fatima Omar Chen Wei Olga Ivan Lucia Mateo"
  ).split(" ");
  const LAST = (
    "Smith Johnson Garcia Miller Davis Lopez Wilson Taylor Lee White Mueller Schmidt Rossi Dubois " +
    "Novak Tanaka Kim Nguyen Singh Patel Silva Jensen"
  ).split(" ");
  const DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "proton.me", "example.com", "web.de"];
  const SEGMENTS = ["free", "basic", "premium", "enterprise"];
  const NEW_PER_DAY = Math.floor(n / 200);
  const total = n + day * NEW_PER_DAY;
  const T0 = Date.UTC(2024, 5, 1);
  const dateOf = (k: number) => new Date(T0 + k * 86400000).toISOString().slice(0, 10);
  const bornDay = (u: number) => (u <= n ? 0 : 1 + Math.floor((u - n - 1) / NEW_PER_DAY));
  const st: UserSnapshotTruth = {
    day,
    date: dateOf(day),
    users: 0,
    changed_today: 0,
    new_today: 0,
    deleted_today: 0,
    changed_total: 0,
    new_total: day * NEW_PER_DAY,
    deleted_total: 0,
  };
  const lines = ["user_id,email,first_name,last_name,registration_date,user_segment,is_active,updated_at"];
  for (let u = 1; u <= total; u++) {
    const b = bornDay(u);
    const h0 = hash32(7, u, 0);
    const fi = h0 % FIRST.length;
    const li = (h0 >>> 8) % LAST.length;
    let segment = SEGMENTS[(h0 >>> 16) & 3]!;
    let emailVer = 0;
    let active = true;
    let lastChange = b;
    let deleted = false;
    for (let k = b + 1; k <= day; k++) {
      const h = hash32(11, u, k);
      if (h % 1000 === 0) {
        deleted = true;
        if (k === day) st.deleted_today++;
        st.deleted_total++;
        break;
      }
      if (h % 100 !== 1) continue;
      const what = (h >>> 10) % 20;
      if (what < 12) segment = SEGMENTS[(SEGMENTS.indexOf(segment) + 1 + ((h >>> 16) % 3)) & 3]!;
      else if (what < 17) emailVer++;
      else active = !active;
      lastChange = k;
      st.changed_total++;
      if (k === day) st.changed_today++;
    }
    if (deleted) continue;
    if (b === day && day > 0) st.new_today++;
    st.users++;
    const regDay = u <= n ? h0 % 1460 : 1460 + b;
    const reg = new Date(T0 - 1460 * 86400000 + regDay * 86400000).toISOString().slice(0, 10);
    const email = `${FIRST[fi]!.toLowerCase()}.${LAST[li]!.toLowerCase()}${u % 1000}${emailVer ? `.${emailVer}` : ""}@${DOMAINS[(h0 >>> 20) % DOMAINS.length]}`;
    lines.push(
      `${userUuid(u)},${email},${FIRST[fi]},${LAST[li]},${reg},${segment},${active},${dateOf(lastChange)} 00:00:00`,
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`, "latin1");
  return st;
}
