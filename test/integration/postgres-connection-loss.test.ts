import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows, type RecordBatch } from "../../src/core/batch.js";
import { WeirError } from "../../src/core/errors.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { writeTable } from "../../src/engines/table-writer.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/**
 * A PostgreSQL backend that goes away mid-operation (a server restart, a failover, an
 * administrator's pg_terminate_backend) must fail only that operation, with a retryable
 * ENGINE_CONNECTION_FAILED, and never crash the process with an unhandled 'error' event
 * (vitest counts one as a failure of this file). Each test owns a one-connection engine,
 * so the backend it terminates is its own and never another test's.
 */
describe.skipIf(!postgresAvailable)("PostgreSQL connection loss", () => {
  const schema = `weir_loss_${randomBytes(4).toString("hex")}`;
  const t = (name: string): TableRef => ({ schema, name });
  const ROWS: Schema = { fields: [{ name: "id", type: "integer" }] };
  let admin: PostgresEngine;

  beforeAll(async () => {
    admin = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
    await admin.run(admin.dialect.createSchema(schema));
  });
  afterAll(async () => {
    await admin.run(`DROP SCHEMA IF EXISTS ${admin.dialect.quoteIdent(schema)} CASCADE`);
    await admin.close();
  });

  /** A one-connection engine and the server pid of that connection. */
  async function ownEngine(): Promise<{ engine: PostgresEngine; pid: number }> {
    const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    const [row] = await engine.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return { engine, pid: row!.pid };
  }

  /** Terminates backend `pid` as soon as it runs a statement starting with `prefix`. */
  async function terminateWhenRunning(pid: number, prefix: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [row] = await admin.query<{ running: boolean }>(
        "SELECT count(*) > 0 AS running FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE $2",
        [pid, `${prefix}%`],
      );
      if (row?.running) {
        await admin.query("SELECT pg_terminate_backend($1)", [pid]);
        return;
      }
      await sleep(5);
    }
    throw new Error(`backend ${pid} never ran ${prefix}…`);
  }

  /** Slow batches: the COPY stays open long enough to be cut off. */
  async function* slowRows(): AsyncGenerator<RecordBatch> {
    for (let b = 0; b < 400; b++) {
      yield batchFromRows(
        ROWS,
        Array.from({ length: 500 }, (_, i) => ({ id: b * 500 + i })),
      );
      await sleep(10);
    }
  }

  /**
   * What `operation` failed with. Called at once on the operation's promise, so a rejection
   * that arrives while the test is still terminating the backend counts as handled.
   */
  function failureOf(operation: Promise<unknown>): Promise<unknown> {
    return operation.then(
      () => new Error("the operation succeeded after its connection was terminated"),
      (error: unknown) => error,
    );
  }

  async function expectConnectionLost(failure: Promise<unknown>): Promise<void> {
    const error = await failure;
    expect(error).toBeInstanceOf(WeirError);
    expect(error, (error as Error).message).toMatchObject({
      code: "ENGINE_CONNECTION_FAILED",
      retryable: true,
    });
    // Late 'error' and 'end' events of the dead connection arrive after the rejection.
    await sleep(200);
  }

  it("a COPY load whose backend is terminated rejects retryably and the engine reconnects", async () => {
    const { engine, pid } = await ownEngine();
    try {
      await admin.createTable(t("copied"), ROWS);
      const load = failureOf(engine.load(t("copied"), slowRows()));
      await terminateWhenRunning(pid, "COPY");
      await expectConnectionLost(load);
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });

  it("a transaction whose connection drops between statements rejects retryably and commits nothing", async () => {
    const { engine, pid } = await ownEngine();
    try {
      await admin.createTable(t("tx"), ROWS);
      const q = admin.dialect.quoteTable(t("tx"));
      const tx = failureOf(
        engine.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${q} VALUES (1)`);
          await admin.query("SELECT pg_terminate_backend($1)", [pid]);
          // The server closes the socket while no statement is running on it.
          await sleep(300);
          await tx.run(`INSERT INTO ${q} VALUES (2)`);
        }),
      );
      await expectConnectionLost(tx);
      expect(await admin.query(`SELECT count(*)::int AS n FROM ${q}`)).toEqual([{ n: 0 }]);
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });

  it("a stream whose cursor connection drops rejects retryably", async () => {
    const { engine, pid } = await ownEngine();
    try {
      const read = failureOf(
        (async () => {
          let batches = 0;
          for await (const _ of engine.stream("SELECT g FROM generate_series(1, 100000) AS g", [], {
            batchSize: 1000,
          })) {
            if (++batches === 1) {
              await admin.query("SELECT pg_terminate_backend($1)", [pid]);
              await sleep(300);
            }
          }
        })(),
      );
      await expectConnectionLost(read);
      expect(await engine.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });

  it("writeTable whose COPY into the stage is cut off rejects retryably and leaves the target as it was", async () => {
    const { engine, pid } = await ownEngine();
    try {
      const target = t("written");
      await writeTable(engine, target, { batches: [batchFromRows(ROWS, [{ id: -1 }])] }, { mode: "append" });
      const write = failureOf(
        writeTable(engine, target, { batches: slowRows() }, { mode: "upsert", key: ["id"] }),
      );
      await terminateWhenRunning(pid, "COPY");
      await expectConnectionLost(write);
      expect(await admin.query(`SELECT id FROM ${admin.dialect.quoteTable(target)}`)).toEqual([{ id: -1 }]);
    } finally {
      await engine.close();
    }
  });

  it("an idle pooled connection that is terminated is replaced without an error", async () => {
    const { engine, pid } = await ownEngine();
    try {
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await sleep(300);
      const [row] = await engine.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(row!.pid).not.toBe(pid);
    } finally {
      await engine.close();
    }
  });
});
