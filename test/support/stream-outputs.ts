import { join } from "node:path";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";

/**
 * Order-independent fingerprints of what the user-events job wrote into a weir home: for
 * each output its row count and the sum of its rows' hashes (a multiset checksum: equal
 * when the same rows are there, in any order and any file layout). Columns stamped with
 * the commit's wall time (`received_at`) are left out.
 */
export interface StreamFingerprint {
  metrics: { rows: number; hash: string };
  events: { rows: number; hash: string };
  deadLetters: { rows: number; hash: string };
  late: { rows: number; hash: string };
}

async function fingerprint(
  engine: DuckDBEngine,
  from: string,
  columns: string,
): Promise<{ rows: number; hash: string }> {
  const [row] = await engine.query<{ n: bigint; h: unknown }>(
    `SELECT count(*) AS n, CAST(coalesce(sum(CAST(hash(${columns}) AS HUGEINT)), 0) AS VARCHAR) AS h FROM ${from}`,
  );
  return { rows: Number(row!.n), hash: String(row!.h) };
}

export async function streamFingerprint(
  home: string,
  job = "user-events",
  metricsTable = "user_metrics_real_time",
): Promise<StreamFingerprint> {
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  try {
    const prefix = job.replace(/\W/g, "_");
    const lake = await Lake.open({ root: join(home, "lake"), engine });
    const scan = await lake.dataset("lake.raw.events").scanSql();
    return {
      metrics: await fingerprint(
        engine,
        metricsTable,
        "window_start, window_end, user_id, event_count, unique_event_types, CAST(event_types AS VARCHAR)",
      ),
      events: scan
        ? await fingerprint(
            engine,
            scan,
            "event_id, user_id, event_type, timestamp, session_id, page_url, referrer_url, CAST(properties AS VARCHAR), date, hour",
          )
        : { rows: 0, hash: "0" },
      deadLetters: await fingerprint(
        engine,
        `quarantine.${prefix}_dead_letters`,
        '"partition", position, kind, error, raw',
      ),
      late: await fingerprint(
        engine,
        `quarantine.${prefix}_late_events`,
        '"partition", position, event_time, watermark, reason, CAST(event AS VARCHAR)',
      ),
    };
  } finally {
    await engine.close();
  }
}

/**
 * The fingerprint of the kept events of a lake at `root` (a home's `lake/`, or one that
 * several processes with their own homes share), as `streamFingerprint` takes it.
 */
export async function lakeEventsFingerprint(
  root: string,
  dataset = "lake.raw.events",
): Promise<{ rows: number; hash: string }> {
  const engine = await DuckDBEngine.create({ path: ":memory:" });
  try {
    const lake = await Lake.open({ root, engine });
    const scan = await lake.dataset(dataset).scanSql();
    if (!scan) return { rows: 0, hash: "0" };
    return await fingerprint(
      engine,
      scan,
      "event_id, user_id, event_type, timestamp, session_id, page_url, referrer_url, CAST(properties AS VARCHAR), date, hour",
    );
  } finally {
    await engine.close();
  }
}
