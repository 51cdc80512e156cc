/**
 * The floor for the stream benchmark: a plain Node loop that reads an NDJSON file in big
 * chunks, parses each line with JSON.parse and counts events per user per 5-minute
 * window in a Map. No schema, no dead letters, no output, no checkpoints: what any
 * JavaScript stream job must at least spend.
 *
 *   node --import tsx bench/stream-floor.ts <file.ndjson>
 */
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const WINDOW_MS = 5 * 60_000;

export interface FloorResult {
  events: number;
  malformed: number;
  windows: number;
  seconds: number;
}

export async function runFloor(file: string): Promise<FloorResult> {
  const started = performance.now();
  const counts = new Map<string, number>();
  let events = 0;
  let malformed = 0;
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.length === 0) continue;
      let event: { user_id?: unknown; timestamp?: unknown };
      try {
        event = JSON.parse(line);
      } catch {
        malformed++;
        continue;
      }
      const t = Date.parse(event.timestamp as string);
      if (Number.isNaN(t)) {
        malformed++;
        continue;
      }
      const key = `${event.user_id}|${t - (t % WINDOW_MS)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      events++;
    }
    rest = text.slice(start);
  }
  return { events, malformed, windows: counts.size, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: bench/stream-floor.ts <file.ndjson>");
  const result = await runFloor(file);
  process.stdout.write(`${JSON.stringify({ ...result, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}
