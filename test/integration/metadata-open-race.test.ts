import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

// Processes that open one fresh SQLite metadata store at the same moment (two backfills
// sharing a store) all open it: switching a new file to WAL makes SQLite answer some of them
// SQLITE_BUSY at once, which opening must wait out. Repeated, with the opens lined up on a
// common start time.
const ROOT = resolve(import.meta.dirname, "../..");
const ROUNDS = 5;
const PROCESSES = 4;
const dir = mkdtempSync(join(tmpdir(), "weir-open-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opener(path: string, startAt: number): Promise<{ code: number | null; stderr: string }> {
  const script = `import { SqliteMetadataStore } from ${JSON.stringify(join(ROOT, "src/metadata/sqlite-metadata-store.ts"))};
    while (Date.now() < ${startAt}) {}
    const store = await SqliteMetadataStore.open({ path: ${JSON.stringify(path)} });
    await store.close();`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return new Promise((done) => child.on("exit", (code) => done({ code, stderr })));
}

describe("opening one fresh SQLite metadata store from several processes at once", () => {
  it(`every process opens it, and it is migrated once (${ROUNDS} rounds of ${PROCESSES})`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const path = join(dir, `round-${round}.db`);
      // Far enough ahead that every process has loaded before the common start.
      const startAt = Date.now() + 4000;
      const results = await Promise.all(Array.from({ length: PROCESSES }, () => opener(path, startAt)));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const db = new Database(path, { readonly: true });
      try {
        const versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as {
          version: number;
        }[];
        expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      } finally {
        db.close();
      }
    }
  }, 120_000);
});
