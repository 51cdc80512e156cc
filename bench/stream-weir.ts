/**
 * weir's side of the stream benchmark: the reference job (`examples/user-events`) over an
 * NDJSON file, replayed as fast as it is read, into a fresh home (DuckDB warehouse, lake,
 * SQLite store). Run in its own process so its peak RSS is its own:
 *
 *   node --import tsx bench/stream-weir.ts <file.ndjson> [home]
 *
 * Prints one JSON line: events, seconds, maxRssBytes, counts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../src/lake/lake.js";
import { SqliteMetadataStore } from "../src/metadata/sqlite-metadata-store.js";
import type { StreamCounts } from "../src/streaming/contracts.js";
import { createStreamSinks } from "../src/streaming/open-stream-parts.js";
import { runStreamJob } from "../src/streaming/run-stream-job.js";
import { FileReplaySource } from "../src/streaming/sources/file-source.js";
import { loadStreamJob } from "../src/streaming/stream-job-registry.js";

export interface StreamWeirResult {
  events: number;
  seconds: number;
  maxRssBytes: number;
  counts: StreamCounts;
}

const REPO = resolve(fileURLToPath(import.meta.url), "../..");

export async function runWeirFile(file: string, homeArg?: string): Promise<StreamWeirResult> {
  const home = homeArg ?? mkdtempSync(join(tmpdir(), "weir-bench-stream-"));
  const { job } = await loadStreamJob(join(REPO, "examples/user-events"));
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  try {
    const lake = await Lake.open({ root: join(home, "lake"), engine });
    const source = new FileReplaySource({ path: file });
    let counts: StreamCounts | undefined;
    const started = performance.now();
    await runStreamJob(job, {
      source,
      store: store.streams,
      sinks: createStreamSinks(job, { lake, warehouse: engine }),
      onEvent: (e) => {
        if (e.type === "stream.checkpoint") counts = e.counts;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    await source.close();
    return {
      events: counts?.in ?? 0,
      seconds,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      counts: counts!,
    };
  } finally {
    await engine.close();
    await store.close();
    if (!homeArg) rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: bench/stream-weir.ts <file.ndjson> [home]");
  const result = await runWeirFile(file, process.argv[3]);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
