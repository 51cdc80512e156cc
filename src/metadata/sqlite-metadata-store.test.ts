import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataStoreSuite } from "../../test/support/metadata-suite.js";
import {
  BEFORE_RUN_KEY,
  DUPLICATE_RUNS_SQL,
  expectRunKeysMigrated,
} from "../../test/support/run-key-fixture.js";
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
    expect(tables(path)).toEqual(
      expect.arrayContaining(["cursors", "runs", "schema_migrations", "task_instances", "quality_checks"]),
    );
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(tables(path)).toEqual(
      expect.arrayContaining([
        "pipelines",
        "task_attempts",
        "task_logs",
        "task_outputs",
        "pools",
        "dataset_events",
      ]),
    );
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({ n: MIGRATIONS.length });
    db.close();
  });

  it("gives runs their unique key on a store that holds duplicates, keeping every run", async () => {
    const old = await SqliteMetadataStore.open({ path, migrations: BEFORE_RUN_KEY });
    await old.close();
    const db = new Database(path);
    for (const sql of DUPLICATE_RUNS_SQL) db.prepare(sql).run();
    db.close();
    const store = await SqliteMetadataStore.open({ path });
    try {
      await expectRunKeysMigrated(store);
    } finally {
      await store.close();
    }
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
    expect((error as WeirError).message).toContain(
      `schema version ${MIGRATIONS.length + 1} but this weir knows only up to ${MIGRATIONS.length}`,
    );
  });

  it("rejects a list whose versions are not 1, 2, 3 …", () => {
    expect(() => pendingMigrations([], [{ version: 2, name: "x", statements: [] }])).toThrow(/expected 1/);
  });
});

describe("migration 3", () => {
  it("carries version 1's task_runs over into task instances and attempts", async () => {
    const v1 = MIGRATIONS.slice(0, 2);
    (await SqliteMetadataStore.open({ path, migrations: v1 })).close();
    const db = new Database(path);
    db.exec(`INSERT INTO runs (id, pipeline, logical_date, interval_start, interval_end, state, started_at, params)
             VALUES ('r1', 'p', '2024-01-15', 'a', 'b', 'failed', '2024-01-16T00:00:00.000Z', '{}')`);
    db.exec(`INSERT INTO task_runs (run_id, task_id, attempt, state, started_at, ended_at, error, rows_in, rows_out, rows_rejected) VALUES
             ('r1', 'extract', 1, 'succeeded', 't1', 't2', NULL, 10, 8, 2),
             ('r1', 'load', 1, 'failed', 't3', 't4', 'boom', NULL, NULL, NULL),
             ('r1', 'after', 1, 'skipped', 't5', 't5', 'upstream did not succeed: load', NULL, NULL, NULL)`);
    db.close();
    const store = await SqliteMetadataStore.open({ path });
    expect(await store.getRun("r1")).toMatchObject({
      logicalTime: "2024-01-15T00:00:00.000Z",
      runType: "manual",
    });
    const instances = await store.tasks.list("r1");
    expect(instances.map((t) => [t.taskId, t.state, t.tryNumber, t.rows])).toEqual([
      ["after", "skipped", 0, {}],
      ["extract", "success", 1, { in: 10, out: 8, rejected: 2 }],
      ["load", "failed", 1, {}],
    ]);
    expect((await store.tasks.attempts("r1")).map((a) => [a.taskId, a.state, a.error])).toEqual([
      ["extract", "success", undefined],
      ["load", "failed", "boom"],
    ]);
    await store.close();
    expect(tables(path)).not.toContain("task_runs");
  });
});

metadataStoreSuite("sqlite", async () => {
  const suiteDir = mkdtempSync(join(tmpdir(), "weir-meta-suite-"));
  const store = await SqliteMetadataStore.open({ path: join(suiteDir, "weir.db") });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    rmSync(suiteDir, { recursive: true, force: true });
  };
  return store;
});

describe("openMetadataStore", () => {
  it("opens SQLite from a sqlite: URL, a file path, or WEIR_METADATA_URL", async () => {
    const { openMetadataStore } = await import("./open-metadata-store.js");
    const byUrl = await openMetadataStore(`sqlite://${path}`);
    expect([byUrl.kind, byUrl.location]).toEqual(["sqlite", path]);
    await byUrl.cursors.commit("p", "s", "1");
    await byUrl.close();
    const byPath = await openMetadataStore(path);
    expect(await byPath.cursors.get("p", "s")).toBe("1");
    await byPath.close();
    const previous = process.env.WEIR_METADATA_URL;
    process.env.WEIR_METADATA_URL = `sqlite:${path}`;
    try {
      const byEnv = await openMetadataStore();
      expect(byEnv.location).toBe(path);
      await byEnv.close();
    } finally {
      if (previous === undefined) delete process.env.WEIR_METADATA_URL;
      else process.env.WEIR_METADATA_URL = previous;
    }
  });
});

describe("opening a file another process holds locked", () => {
  it("waits for the lock past SQLite's busy timeout", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdirSync } = await import("node:fs");
    const { dirname } = await import("node:path");
    mkdirSync(dirname(path), { recursive: true });
    // A fresh file (rollback journal) whose exclusive lock another process holds for 6.5 s,
    // longer than the 5 s busy timeout: switching it to WAL must wait the lock out.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = new (require("better-sqlite3"))(${JSON.stringify(path)});
         db.exec("CREATE TABLE held (x INTEGER)");
         db.exec("BEGIN EXCLUSIVE");
         console.log("locked");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 6500);`,
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    try {
      const store = await SqliteMetadataStore.open({ path });
      expect(tables(path)).toContain("runs");
      await store.close();
    } finally {
      holder.kill();
      await exited;
    }
  }, 30_000);
});
