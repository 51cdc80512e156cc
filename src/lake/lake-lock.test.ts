import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WeirError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { CommitStep } from "./lake-commit.js";
import { BREAK_GUARD_FILE, DatasetLock, LOCK_FILE } from "./lake-lock.js";
import { UNREADABLE_LOCK_GRACE_MS } from "./lock-file.js";

let engine: DuckDBEngine;
const roots: string[] = [];
let root: string;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "weir-lake-lock-"));
  roots.push(root);
});

const input = (n: number) => ({ engine, sql: `SELECT i AS id FROM range(${n}) r(i)` });
const rejection = async (p: Promise<unknown>) =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as WeirError;

/** A lake whose commits stop at `step` until `open()` is called. */
async function gatedLake(step: CommitStep) {
  let reached!: () => void;
  let open!: () => void;
  const atGate = new Promise<void>((r) => {
    reached = r;
  });
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const lake = await Lake.open({
    root,
    engine,
    onCommitStep: async (s) => {
      if (s !== step) return;
      reached();
      await gate;
    },
  });
  return { lake, atGate, open };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("dataset writer lock", () => {
  it("a second writer fails with LAKE_LOCKED while a commit is in flight, then succeeds", async () => {
    const { lake, atGate, open } = await gatedLake("moved");
    const ds = lake.dataset("raw.t");
    const first = ds.write(input(10), { mode: "append" });
    await atGate;
    expect(existsSync(join(ds.dir, LOCK_FILE))).toBe(true);

    const error = await rejection(lake.dataset("lake.raw.t").write(input(5), { mode: "append" }));
    expect(error.code).toBe("LAKE_LOCKED");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(new RegExp(`lake\\.raw\\.t is locked by process ${process.pid} on `));
    expect((await rejection(ds.vacuum())).code).toBe("LAKE_LOCKED");

    open();
    expect((await first).rowsWritten).toBe(10);
    expect(existsSync(join(ds.dir, LOCK_FILE))).toBe(false);
    expect((await ds.write(input(5), { mode: "append" })).version).toBe(2);
  });

  it("with lockWaitMs a writer waits for the lock instead of failing", async () => {
    const { lake, atGate, open } = await gatedLake("staged");
    const ds = lake.dataset("raw.t");
    const first = ds.write(input(10), { mode: "append" });
    await atGate;
    const second = ds.write(input(5), { mode: "append", lockWaitMs: 10_000 });
    setTimeout(open, 150);
    const [a, b] = await Promise.all([first, second]);
    expect([a.version, b.version]).toEqual([1, 2]);
    const [row] = await engine.query(`SELECT count(*) AS n FROM ${await ds.scanSql()}`);
    expect(Number(row!.n)).toBe(15);
  });

  it("breaks a stale lock left by a dead process, but not one held by a live process or another host", async () => {
    const lake = await Lake.open({ root, engine });
    const ds = lake.dataset("raw.t");
    await mkdir(ds.dir, { recursive: true });
    const lockPath = join(ds.dir, LOCK_FILE);
    const owner = (pid: number, host = hostname()) =>
      JSON.stringify({ pid, host, purpose: "append commit", since: "2024-01-01T00:00:00Z" });

    await writeFile(lockPath, owner(await deadPid()));
    expect((await ds.write(input(3), { mode: "append" })).rowsWritten).toBe(3);
    expect(existsSync(lockPath)).toBe(false);

    // Our own PID, from before this process started: a restarted container reuses PIDs.
    await writeFile(
      lockPath,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        token: "l-old",
        purpose: "append commit",
        since: "2024-01-01T00:00:00Z",
      }),
    );
    expect((await ds.write(input(3), { mode: "append" })).version).toBe(2);

    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      await writeFile(lockPath, owner(sleeper.pid!));
      const live = await rejection(ds.write(input(3), { mode: "append" }));
      expect(live.code).toBe("LAKE_LOCKED");
      expect(live.message).toContain(`process ${sleeper.pid}`);
    } finally {
      sleeper.kill("SIGKILL");
    }

    await writeFile(lockPath, owner(await deadPid(), "some-other-host"));
    const remote = await rejection(ds.write(input(3), { mode: "append" }));
    expect(remote.code).toBe("LAKE_LOCKED");
    expect(remote.message).toContain("on some-other-host");
    expect((await ds.manifest())!.version).toBe(2);
  });

  it.each([
    ["empty", ""],
    ["torn", '{ "pid": 12'],
    ["of a foreign format", '{ "owner": "someone" }'],
  ])(
    "respects a lock file whose content is %s for a grace period from its mtime, then breaks it",
    async (_, text) => {
      const lake = await Lake.open({ root, engine });
      const ds = lake.dataset("raw.t");
      await mkdir(ds.dir, { recursive: true });
      const lockPath = join(ds.dir, LOCK_FILE);
      await writeFile(lockPath, text);
      const locked = await rejection(ds.write(input(3), { mode: "append", lockWaitMs: 200 }));
      expect(locked.code).toBe("LAKE_LOCKED");
      expect(locked.message).toMatch(
        /locked by an unreadable lock file \(written .*; it is treated as stale from /,
      );
      expect(await readFile(lockPath, "utf8")).toBe(text);

      const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 1000);
      await utimes(lockPath, old, old);
      expect((await ds.write(input(3), { mode: "append" })).version).toBe(1);
      expect(existsSync(lockPath)).toBe(false);
    },
  );

  it("release() removes only the writer's own lock", async () => {
    await mkdir(join(root, "d"), { recursive: true });
    const lockPath = join(root, "d", LOCK_FILE);
    const mine = await DatasetLock.acquire(join(root, "d"), "lake.raw.d", "test");
    expect(JSON.parse(await readFile(lockPath, "utf8"))).toMatchObject({
      pid: process.pid,
      token: mine.token,
    });

    // Someone replaced the lock (it was broken and taken by another writer): not ours to remove.
    const theirs = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      token: "l-theirs",
      purpose: "x",
      since: new Date().toISOString(),
    });
    await writeFile(lockPath, theirs);
    await mine.release();
    expect(await readFile(lockPath, "utf8")).toBe(theirs);
    await rm(lockPath);

    const again = await DatasetLock.acquire(join(root, "d"), "lake.raw.d", "test");
    await again.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("a writer that died while breaking a stale lock does not block the others", async () => {
    const lake = await Lake.open({ root, engine });
    const ds = lake.dataset("raw.t");
    await mkdir(ds.dir, { recursive: true });
    const dead = JSON.stringify({
      pid: await deadPid(),
      host: hostname(),
      purpose: "x",
      since: "2024-01-01T00:00:00Z",
    });
    await writeFile(join(ds.dir, LOCK_FILE), dead);
    await writeFile(join(ds.dir, BREAK_GUARD_FILE), dead);
    expect((await ds.write(input(3), { mode: "append", lockWaitMs: 5000 })).version).toBe(1);
    expect((await readdir(ds.dir)).filter((n) => n.startsWith("_lock"))).toEqual([]);
  });

  it("releases the lock when a commit fails", async () => {
    const lake = await Lake.open({ root, engine });
    const ds = lake.dataset("raw.t");
    await expect(
      ds.write({ engine, sql: "SELECT * FROM missing_table" }, { mode: "append" }),
    ).rejects.toThrow();
    expect(existsSync(join(ds.dir, LOCK_FILE))).toBe(false);
    expect((await ds.write(input(1), { mode: "append" })).version).toBe(1);
  });
});
