import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { storeDatabase } from "../../src/governance/audit/store-database.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas, ROOT, withStore } from "../support/weir-process.js";

const WORKER = resolve(import.meta.dirname, "../support/audit-append-worker.ts");
const SCHEMA = `weir_audit_${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "weir-audit-stress-"));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (postgresAvailable) await dropSchemas(SCHEMA, `${SCHEMA}_p`);
});

/** Processes × lanes appenders, `rounds` entries each. */
const PROCESSES = 8;
const LANES = 2;
const ROUNDS = 25;
const TOTAL = PROCESSES * LANES * ROUNDS;

function runWorker(url: string, worker: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", WORKER, url, String(worker), String(LANES), String(ROUNDS)],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return new Promise((done) => child.once("exit", (code) => done({ code, stderr })));
}

/** The chain verifies, seqs run 1…TOTAL without a gap, and every appender's entries are there. */
async function expectWholeChain(url: string): Promise<void> {
  await withStore(url, async (store) => {
    const db = storeDatabase(store);
    const audit = new AuditLog(db);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: TOTAL, head: { seq: TOTAL } });
    const seqs = await db.all<{ seq: number | string }>("SELECT seq FROM audit_log ORDER BY seq");
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    const perActor = await db.all<{ actor: string; n: number | string }>(
      "SELECT actor, COUNT(*) AS n FROM audit_log GROUP BY actor ORDER BY actor",
    );
    expect(perActor.map((r) => [r.actor, Number(r.n)])).toEqual(
      Array.from({ length: PROCESSES }, (_, w) => [`worker-${w}`, LANES * ROUNDS]).sort(),
    );
  });
}

async function raceProcesses(url: string): Promise<number> {
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: PROCESSES }, (_, w) => runWorker(url, w)));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  return Date.now() - started;
}

describe("audit log under concurrent appenders", () => {
  it(`keeps one contiguous chain with ${PROCESSES} processes × ${LANES} lanes on a SQLite file`, async () => {
    const file = join(dir, "weir.db");
    const elapsed = await raceProcesses(file);
    expect(elapsed).toBeLessThan(60_000);
    await expectWholeChain(file);
  }, 90_000);

  describe.skipIf(!postgresAvailable)("on PostgreSQL", () => {
    it(`keeps one contiguous chain with ${PROCESSES} processes × ${LANES} lanes`, async () => {
      const url = `${POSTGRES_URL}?schema=${SCHEMA}`;
      // Migrated once up front, so the race is on appends, not on creating the schema.
      await withStore(url, async () => undefined);
      const elapsed = await raceProcesses(url);
      expect(elapsed).toBeLessThan(60_000);
      await expectWholeChain(url);
    }, 90_000);

    it("keeps one chain with 16 appenders on 16 connections of one process", async () => {
      const store = await PostgresMetadataStore.open({
        url: POSTGRES_URL,
        schema: `${SCHEMA}_p`,
        maxConnections: 16,
      });
      try {
        const audit = new AuditLog(store.database);
        const started = Date.now();
        await Promise.all(
          Array.from({ length: 16 }, async (_, lane) => {
            for (let round = 0; round < 30; round++)
              await audit.append({ action: "stress.append", details: { lane, round } });
          }),
        );
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(await audit.verify()).toMatchObject({ ok: true, entries: 480, head: { seq: 480 } });
      } finally {
        await store.close();
      }
    }, 90_000);
  });
});
