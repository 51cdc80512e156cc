/**
 * The metrics part's calls: one full `GET /metrics` scrape, timed, and `promtool check
 * metrics` on a scrape's text.
 */

import { spawnSync } from "node:child_process";
import { fetchOrSay } from "./server-latency.js";

export interface Scrape {
  ms: number;
  body: string;
  bytes: number;
  /** Sample lines (not comments). */
  samples: number;
}

export async function scrapeOnce(baseUrl: string): Promise<Scrape> {
  const url = `${baseUrl}/metrics`;
  const t = performance.now();
  const res = await fetchOrSay(url);
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  let samples = 0;
  for (const line of body.split("\n")) if (line !== "" && !line.startsWith("#")) samples++;
  return { ms, body, bytes: Buffer.byteLength(body), samples };
}

/** `promtool check metrics` on a scrape (stdin): ok, failed (with its findings), or not installed. */
export function promtoolCheck(body: string): { status: "ok" | "failed" | "not installed"; output: string } {
  const res = spawnSync("promtool", ["check", "metrics"], {
    input: body,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const error = res.error as NodeJS.ErrnoException | undefined;
  if (error?.code === "ENOENT") return { status: "not installed", output: "" };
  if (error) return { status: "failed", output: `promtool did not run: ${error.message}` };
  return { status: res.status === 0 ? "ok" : "failed", output: `${res.stdout}${res.stderr}`.trim() };
}
