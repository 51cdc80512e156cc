import { expect } from "vitest";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { MIGRATIONS } from "../../src/metadata/migrations.js";

/** The migrations a store had before runs got their unique key (version 4). */
export const BEFORE_RUN_KEY = MIGRATIONS.slice(0, 3);

/**
 * Rows a version-3 store may hold after the bug (issue 9, item 3): three runs of one
 * pipeline for one logical time, plus runs that are alone on their date. Plain SQL, run
 * on the store's database directly (the version-3 tables have no `run_key` yet).
 */
export const DUPLICATE_RUNS_SQL: readonly string[] = [
  ["r_old", "dup", "2024-01-01", "succeeded", "2024-02-01T00:00:00.000Z"],
  ["r_mid", "dup", "2024-01-01", "failed", "2024-02-02T00:00:00.000Z"],
  ["r_new", "dup", "2024-01-01", "running", "2024-02-03T00:00:00.000Z"],
  ["r_alone", "dup", "2024-01-02", "succeeded", "2024-02-01T00:00:00.000Z"],
  ["r_other", "other", "2024-01-01", "failed", "2024-02-01T00:00:00.000Z"],
].map(
  ([id, pipeline, day, state, at]) =>
    `INSERT INTO runs (id, pipeline, logical_date, logical_time, interval_start, interval_end, state, run_type,
       queued_at, started_at, params)
     VALUES ('${id}', '${pipeline}', '${day}', '${day}T00:00:00.000Z', '${day}T00:00:00.000Z',
       '${day}T23:59:59.999Z', '${state}', 'backfill', '${at}', '${at}', '{}')`,
);

/**
 * What migration 4 must make of `DUPLICATE_RUNS_SQL`: nothing deleted, the newest run of
 * a date holds the key, the older ones are marked superseded, and from then on the key
 * admits no second run.
 */
export async function expectRunKeysMigrated(store: MetadataStore): Promise<void> {
  expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
  const runs = await store.runs.list({ limit: 100 });
  expect(runs.map((r) => [r.id, r.state, r.superseded ?? false]).sort()).toEqual([
    ["r_alone", "succeeded", false],
    ["r_mid", "failed", true],
    ["r_new", "running", false],
    ["r_old", "succeeded", true],
    ["r_other", "failed", false],
  ]);
  expect((await store.runs.atLogicalTime("dup", "2024-01-01T00:00:00.000Z"))?.id).toBe("r_new");
  expect((await store.runs.atLogicalTime("other", "2024-01-01T00:00:00.000Z"))?.id).toBe("r_other");
  const again = {
    id: "r_again",
    pipeline: "dup",
    logicalDate: "2024-01-01",
    intervalStart: "2024-01-01T00:00:00.000Z",
    intervalEnd: "2024-01-02T00:00:00.000Z",
    state: "queued" as const,
    startedAt: "2024-03-01T00:00:00.000Z",
    params: {},
  };
  expect(await store.runs.createOrGet(again, [])).toMatchObject({ created: false, run: { id: "r_new" } });
  await expect(store.runs.create(again, [])).rejects.toMatchObject({ code: "METADATA_FAILED" });
  expect(await store.runs.count({ pipeline: "dup" })).toBe(4);
}
