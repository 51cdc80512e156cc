import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableRef } from "../../src/core/types.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import type { WriteReply, WriteRequest } from "../support/pg-write-worker.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { createStressSource, type UpsertTarget, upsertStressRound } from "../support/upsert-stress.js";

const WORKER = resolve(import.meta.dirname, "../support/pg-write-worker.ts");

/** A forked writer process and a way to ask it for one write. */
class Writer {
  private next = 0;
  private readonly waiting = new Map<number, (reply: WriteReply) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: WriteReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  static async start(): Promise<Writer> {
    const child = fork(WORKER, {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, WEIR_TEST_POSTGRES_URL: POSTGRES_URL },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise<void>((ready, failed) => {
      child.once("message", () => ready());
      child.once("exit", (code) => failed(new Error(`writer exited with ${code} before it was ready`)));
    });
    return new Writer(child);
  }

  write(request: Omit<WriteRequest, "id">): Promise<WriteReply> {
    const id = this.next++;
    return new Promise((done) => {
      this.waiting.set(id, done);
      this.child.send({ ...request, id });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((done) => this.child.once("exit", done));
    this.child.send("stop");
    await exited;
  }
}

describe.skipIf(!postgresAvailable)("PostgreSQL upserts under concurrency", () => {
  const schema = `weir_upc_${randomBytes(4).toString("hex")}`;
  const t = (name: string): TableRef => ({ schema, name });
  let engine: PostgresEngine;

  beforeAll(async () => {
    engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 10 });
    await engine.run(engine.dialect.createSchema(schema));
    await createStressSource(engine, t("stress_src"));
  });
  afterAll(async () => {
    await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`);
    await engine.close();
  });

  // The scenario: UPDATE then INSERT … WHERE NOT EXISTS let two transactions insert
  // the same key (duplicates without a key, 23505 with one).
  it.each<UpsertTarget>(["unkeyed", "keyed", "missing"])(
    "30 overlapping upserts at concurrency 8 into a %s table leave one row per key, with no failure",
    async (shape) => {
      for (let round = 0; round < 3; round++) {
        await upsertStressRound(engine, t(`stress_${shape}`), t("stress_src"), shape);
      }
    },
  );

  describe("two processes", () => {
    let writers: Writer[] = [];
    beforeAll(async () => {
      writers = await Promise.all([Writer.start(), Writer.start()]);
    });
    afterAll(async () => {
      await Promise.all(writers.map((w) => w.stop()));
    });

    it("upserting overlapping keys into one table never fail and leave one row per key", async () => {
      const table = t("two_procs");
      await engine.createTable(
        table,
        {
          fields: [
            { name: "id", type: "integer" },
            { name: "v", type: "varchar" },
          ],
        },
        { primaryKey: ["id"] },
      );
      const replies: WriteReply[] = [];
      const rounds = 20;
      for (let round = 0; round < rounds; round++) {
        // Each process upserts three overlapping ranges at once, over keys that are new in
        // this round (so both insert the same keys) and keys the last round wrote (updates).
        const from = round * 500;
        const writes = writers.flatMap((w, i) =>
          [0, 200, 400].map((offset) =>
            w.write({ table, from: from + offset, to: from + offset + 600, value: `p${i}r${round}` }),
          ),
        );
        replies.push(...(await Promise.all(writes)));
      }
      expect(replies.filter((r) => !r.ok)).toEqual([]);
      const keys = (rounds - 1) * 500 + 1000;
      const rows = await engine.query<{ n: number; keys: number; odd: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT id)::int AS keys,
                count(*) FILTER (WHERE v !~ '^p[01]r[0-9]+$')::int AS odd
         FROM ${engine.dialect.quoteTable(table)}`,
      );
      expect(rows).toEqual([{ n: keys, keys, odd: 0 }]);
    });

    it("racing to create the same new table both succeed", async () => {
      const replies: WriteReply[] = [];
      for (let round = 0; round < 30; round++) {
        // Every other round in a new schema, so CREATE SCHEMA races as well as CREATE TABLE.
        const table: TableRef =
          round % 2 === 0 ? { schema: `${schema}_r${round}`, name: "created" } : t(`created_${round}`);
        try {
          const both = await Promise.all(
            writers.map((w, i) => w.write({ table, from: i * 5, to: i * 5 + 10, value: `p${i}` })),
          );
          replies.push(...both);
          if (!both.every((r) => r.ok)) continue;
          const rows = await engine.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${engine.dialect.quoteTable(table)}`,
          );
          expect(rows).toEqual([{ n: 15 }]);
        } finally {
          const drop =
            table.schema === schema
              ? engine.dialect.dropTable(table)
              : `DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(table.schema!)} CASCADE`;
          await engine.run(drop);
        }
      }
      expect(replies.filter((r) => !r.ok)).toEqual([]);
    });
  });
});
