/**
 * A brute-force model of what a stream job must output for a replayed file, written
 * without any of the runtime's code: every line judged on its own, the watermark as the
 * running max event time minus the bound, lateness against it, and windows computed from
 * the full list of kept events at the end (the input is finite, so every window closes).
 */
export interface OracleOptions {
  boundMs: number;
  latenessMs: number;
  keep: ReadonlySet<string>;
  window:
    | { kind: "tumbling"; sizeMs: number }
    | { kind: "hop"; sizeMs: number; slideMs: number }
    | { kind: "session"; gapMs: number };
}

export interface OracleWindow {
  start: number;
  end: number;
  user: string;
  count: number;
  types: string[];
  amounts: number[];
}

export interface OracleResult {
  dead: number[];
  late: number[];
  filtered: number;
  kept: number;
  /** Key `${start}|${user}`. */
  windows: Map<string, OracleWindow>;
}

const OPTIONAL_STRINGS = ["session_id", "page_url", "referrer_url"];

function valid(e: Record<string, unknown>): boolean {
  if (!Number.isSafeInteger(e.event_id)) return false;
  if (typeof e.user_id !== "string" || typeof e.event_type !== "string") return false;
  for (const f of OPTIONAL_STRINGS)
    if (e[f] !== undefined && e[f] !== null && typeof e[f] !== "string") return false;
  const p = e.properties;
  if (p !== undefined && p !== null && (typeof p !== "object" || Array.isArray(p))) return false;
  return true;
}

export function streamOracle(lines: readonly string[], options: OracleOptions): OracleResult {
  const dead: number[] = [];
  const late: number[] = [];
  let filtered = 0;
  const kept: { t: number; user: string; type: string; amount: number | undefined }[] = [];
  let maxT = Number.NEGATIVE_INFINITY;
  lines.forEach((line, i) => {
    const position = i + 1;
    if (line.trim() === "") return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      dead.push(position);
      return;
    }
    if (typeof e !== "object" || e === null || Array.isArray(e)) {
      dead.push(position);
      return;
    }
    const ev = e as Record<string, unknown>;
    const t =
      typeof ev.timestamp === "string"
        ? Date.parse(ev.timestamp)
        : typeof ev.timestamp === "number"
          ? ev.timestamp
          : Number.NaN;
    if (!Number.isFinite(t) || !valid(ev)) {
      dead.push(position);
      return;
    }
    maxT = Math.max(maxT, t);
    if (t < maxT - options.boundMs - options.latenessMs) {
      late.push(position);
      return;
    }
    if (!options.keep.has(ev.event_type as string)) {
      filtered++;
      return;
    }
    const amount = (ev.properties as { amount?: unknown } | null | undefined)?.amount;
    kept.push({
      t,
      user: ev.user_id as string,
      type: ev.event_type as string,
      amount: typeof amount === "number" ? amount : undefined,
    });
  });
  const windows = new Map<string, OracleWindow>();
  const add = (start: number, end: number, k: (typeof kept)[number]) => {
    const key = `${start}|${k.user}`;
    let w = windows.get(key);
    if (!w) {
      w = { start, end, user: k.user, count: 0, types: [], amounts: [] };
      windows.set(key, w);
    }
    w.count++;
    if (!w.types.includes(k.type)) w.types.push(k.type);
    if (k.amount !== undefined) w.amounts.push(k.amount);
  };
  const spec = options.window;
  if (spec.kind === "tumbling") {
    for (const k of kept) {
      const start = Math.floor(k.t / spec.sizeMs) * spec.sizeMs;
      add(start, start + spec.sizeMs, k);
    }
  } else if (spec.kind === "hop") {
    for (const k of kept) {
      for (let s = Math.floor(k.t / spec.slideMs) * spec.slideMs; s > k.t - spec.sizeMs; s -= spec.slideMs)
        add(s, s + spec.sizeMs, k);
    }
  } else {
    const byUser = new Map<string, typeof kept>();
    for (const k of kept) {
      const list = byUser.get(k.user);
      if (list) list.push(k);
      else byUser.set(k.user, [k]);
    }
    for (const events of byUser.values()) {
      events.sort((a, b) => a.t - b.t);
      let group: typeof kept = [];
      const flush = () => {
        if (group.length === 0) return;
        const start = group[0]!.t;
        const end = group[group.length - 1]!.t + spec.gapMs;
        for (const k of group) add(start, end, k);
        group = [];
      };
      for (const k of events) {
        if (group.length > 0 && k.t - group[group.length - 1]!.t >= spec.gapMs) flush();
        group.push(k);
      }
      flush();
    }
  }
  for (const w of windows.values()) w.types.sort();
  return { dead, late, filtered, kept: kept.length, windows };
}
