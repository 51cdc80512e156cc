import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WeirError } from "../core/errors.js";
import { MIGRATIONS, type Migration, pendingMigrations } from "./migrations.js";
import { SqliteMetadataStore } from "./sqlite-metadata-store.js";

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-meta-"));
  path = join(dir, "nested", "weir.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe("migrations", () => {
  it("creates every table on a fresh file, in WAL mode", async () => {
    const store = await SqliteMetadataStore.open({ path });
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();
    expect(tables(path)).toEqual(["cursors", "runs", "schema_migrations", "task_runs"]);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({ n: MIGRATIONS.length });
    db.close();
  });

  it("re-opening applies nothing twice and keeps the data", async () => {
    const first = await SqliteMetadataStore.open({ path });
    await first.cursors.commit("p", "s", "42");
    await first.close();
    const second = await SqliteMetadataStore.open({ path });
    expect(await second.schemaVersion()).toBe(MIGRATIONS.length);
    expect(await second.cursors.get("p", "s")).toBe("42");
    await second.close();
  });

  it("applies only the new migrations of a longer list", async () => {
    (await SqliteMetadataStore.open({ path })).close();
    const extra: Migration = {
      version: MIGRATIONS.length + 1,
      name: "add t",
      statements: ["CREATE TABLE t (x INTEGER)"],
    };
    const store = await SqliteMetadataStore.open({ path, migrations: [...MIGRATIONS, extra] });
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length + 1);
    await store.close();
    expect(tables(path)).toContain("t");
  });

  it("rolls a failing migration back completely", async () => {
    const bad: Migration[] = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: "half",
        statements: ["CREATE TABLE half (x INTEGER)", "NOT SQL"],
      },
    ];
    await expect(SqliteMetadataStore.open({ path, migrations: bad })).rejects.toMatchObject({
      code: "METADATA_FAILED",
    });
    expect(tables(path)).not.toContain("half");
    // The file is still usable by the released list.
    const store = await SqliteMetadataStore.open({ path });
    expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    await store.close();
  });

  it("refuses a store newer than the code", async () => {
    const longer = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: "future", statements: [] }];
    (await SqliteMetadataStore.open({ path, migrations: longer })).close();
    const error = await SqliteMetadataStore.open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirError);
    expect((error as WeirError).message).toMatch(/schema version 2 .* only up to 1/);
  });

  it("rejects a list whose versions are not 1, 2, 3 …", () => {
    expect(() => pendingMigrations([], [{ version: 2, name: "x", statements: [] }])).toThrow(/expected 1/);
  });
});

describe("runs and task runs", () => {
  it("records a run with its tasks and reads them back", async () => {
    const store = await SqliteMetadataStore.open({ path });
    await store.startRun({
      id: "r1",
      pipeline: "customers",
      logicalDate: "2024-01-15",
      intervalStart: "2024-01-15T00:00:00.000Z",
      intervalEnd: "2024-01-16T00:00:00.000Z",
      state: "running",
      startedAt: "2024-02-01T00:00:00.000Z",
      params: { a: "1" },
    });
    await store.startTaskRun({
      runId: "r1",
      taskId: "extract",
      attempt: 1,
      state: "running",
      startedAt: "t1",
      rows: {},
    });
    await store.finishTaskRun(
      { runId: "r1", taskId: "extract", attempt: 1 },
      { state: "succeeded", endedAt: "t2", rows: { in: 10, out: 8, rejected: 2 } },
    );
    await store.finishRun("r1", { state: "succeeded", endedAt: "t3", summary: { loaded: 8 } });
    const run = await store.getRun("r1");
    expect(run).toMatchObject({
      state: "succeeded",
      endedAt: "t3",
      params: { a: "1" },
      summary: { loaded: 8 },
    });
    expect(await store.listRuns({ pipeline: "customers" })).toHaveLength(1);
    expect(await store.listRuns({ pipeline: "other" })).toHaveLength(0);
    expect(await store.listTaskRuns("r1")).toEqual([
      {
        runId: "r1",
        taskId: "extract",
        attempt: 1,
        state: "succeeded",
        startedAt: "t1",
        endedAt: "t2",
        rows: { in: 10, out: 8, rejected: 2 },
      },
    ]);
    await store.close();
  });
});

describe("cursors", () => {
  it("are per pipeline and source, and a commit replaces the value", async () => {
    const store = await SqliteMetadataStore.open({ path });
    expect(await store.cursors.get("p", "s")).toBeUndefined();
    await store.cursors.commit("p", "s", "2024-01-15 10:00:00");
    await store.cursors.commit("p", "s", "2024-01-15 23:00:00");
    await store.cursors.commit("q", "s", "other");
    expect(await store.cursors.get("p", "s")).toBe("2024-01-15 23:00:00");
    expect(await store.cursors.get("q", "s")).toBe("other");
    await store.close();
  });
});
