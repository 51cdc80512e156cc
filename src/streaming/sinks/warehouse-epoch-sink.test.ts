import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import { batchFromRows, type RecordBatch } from "../../core/batch.js";
import type { Schema, TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import type { DeadLetter, EpochOutput, LateEvent } from "../contracts.js";
import { EPOCHS_TABLE } from "./epoch-ledger.js";
import { deadLetterTableOf, lateTableOf } from "./stream-quarantine.js";
import { WarehouseEpochSink } from "./warehouse-epoch-sink.js";

const WINDOWS: Schema = {
  fields: [
    { name: "window_start", type: "timestamptz" },
    { name: "window_end", type: "timestamptz" },
    { name: "user_id", type: "varchar" },
    { name: "events", type: "bigint" },
    { name: "amount", type: "double" },
  ],
};
const KEY = ["window_start", "user_id"];
const EMPTY_EVENTS: RecordBatch = {
  schema: { fields: [{ name: "user_id", type: "varchar" }] },
  columns: [[]],
  numRows: 0,
};

/** A window row of the 5-minute window starting `minute` minutes after 10:00. */
function win(minute: number, user: string, events: number, amount: number) {
  const start = Date.UTC(2024, 2, 1, 10, minute);
  return {
    window_start: new Date(start).toISOString(),
    window_end: new Date(start + 5 * 60_000).toISOString(),
    user_id: user,
    events,
    amount,
  };
}

function deadLetter(partition: string, position: number, text: string): DeadLetter {
  return {
    partition,
    position,
    raw: new Uint8Array([0xff, ...Buffer.from(text)]),
    kind: "parse",
    error: "not JSON",
  };
}

function lateEvent(partition: string, position: number): LateEvent {
  return {
    partition,
    position,
    eventTime: Date.UTC(2024, 2, 1, 9, 0),
    watermark: Date.UTC(2024, 2, 1, 10, 0),
    reason: "behind the watermark by 60 min",
    event: JSON.stringify({ user_id: "u9", position }),
  };
}

function output(
  job: string,
  partition: string,
  epoch: number,
  rows: ReturnType<typeof win>[],
  extra: Partial<EpochOutput> = {},
): EpochOutput {
  return {
    job,
    partition,
    epoch,
    endPosition: epoch * 100,
    events: EMPTY_EVENTS,
    windows: batchFromRows(WINDOWS, rows),
    upsert: true,
    deadLetters: [],
    late: [],
    ...extra,
  };
}

/** The same cases on every warehouse engine. `schema` is unique to this file's run. */
function warehouseSinkSuite(name: string, open: () => Promise<Engine>, schema: string): void {
  describe(`WarehouseEpochSink on ${name}`, () => {
    let engine: Engine;
    let n = 0;
    const jobs: string[] = [];
    const newJob = () => {
      const job = `user-events-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 6)}`;
      jobs.push(job);
      return job;
    };
    const table = (base: string): TableRef => ({ schema, name: `${base}_${n}` });

    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(schema)} CASCADE`);
      for (const job of jobs) {
        for (const t of [deadLetterTableOf(job), lateTableOf(job)])
          await engine.run(engine.dialect.dropTable(t));
        await engine
          .run(`DELETE FROM ${engine.dialect.quoteTable(EPOCHS_TABLE)} WHERE job = $1`, [job])
          .catch(() => 0);
      }
      await engine.close();
    });

    async function windows(target: TableRef): Promise<string[]> {
      const rows = await engine.query<{ user_id: string; m: unknown; events: unknown; amount: unknown }>(
        `SELECT user_id, CAST(extract(minute FROM window_start) AS INTEGER) AS m, events, amount FROM ${engine.dialect.quoteTable(target)} ORDER BY 2, 1`,
      );
      return rows.map((r) => `${Number(r.m)}:${r.user_id}=${Number(r.events)}/${Number(r.amount)}`);
    }

    async function keys(target: TableRef): Promise<string[]> {
      const rows = await engine.query<{ partition: string; position: unknown }>(
        `SELECT ${engine.dialect.quoteIdent("partition")} AS partition, position FROM ${engine.dialect.quoteTable(target)} ORDER BY 1, 2`,
      );
      return rows.map((r) => `${r.partition}@${Number(r.position)}`);
    }

    it("upserts each epoch's windows once; an epoch it holds changes nothing", async () => {
      const job = newJob();
      const target = table("activity");
      const sink = new WarehouseEpochSink(engine, { table: target, key: KEY });
      expect(await sink.committedEpoch(job, "0")).toBeUndefined();

      await sink.commit(output(job, "0", 1, [win(0, "u1", 1, 10), win(0, "u2", 2, 5)]));
      expect(await sink.committedEpoch(job, "0")).toBe(1);
      await sink.commit(output(job, "0", 2, [win(0, "u1", 3, 30), win(5, "u1", 1, 1)]));
      expect(await windows(target)).toEqual(["0:u1=3/30", "0:u2=2/5", "5:u1=1/1"]);

      // Replays of held epochs (even with other rows) are no-ops.
      await sink.commit(output(job, "0", 2, [win(0, "u1", 99, 99)]));
      await sink.commit(output(job, "0", 1, [win(0, "u2", 99, 99)]));
      expect(await windows(target)).toEqual(["0:u1=3/30", "0:u2=2/5", "5:u1=1/1"]);
      expect(await sink.committedEpoch(job, "0")).toBe(2);
      expect(await sink.committedEpoch(job, "1")).toBeUndefined();
      // Another sink on the same engine keeps its own epochs.
      expect(
        await new WarehouseEpochSink(engine, { table: table("other"), key: KEY }).committedEpoch(job, "0"),
      ).toBeUndefined();
    });

    it("appends closed windows in append mode, once per epoch", async () => {
      const job = newJob();
      const target = table("closed");
      const sink = new WarehouseEpochSink(engine, { table: target, key: KEY });
      const append = { upsert: false };
      await sink.commit(output(job, "0", 1, [win(0, "u1", 1, 1)], append));
      await sink.commit(output(job, "0", 2, [win(5, "u1", 2, 2), win(5, "u2", 1, 1)], append));
      await sink.commit(output(job, "0", 2, [win(5, "u1", 2, 2), win(5, "u2", 1, 1)], append));
      await sink.commit(output(job, "0", 3, [], append));
      expect(await windows(target)).toEqual(["0:u1=1/1", "5:u1=2/2", "5:u2=1/1"]);
      expect(await sink.committedEpoch(job, "0")).toBe(3);
    });

    it("keeps dead letters and late events once, keyed by position", async () => {
      const job = newJob();
      const sink = new WarehouseEpochSink(engine, { table: table("q"), key: KEY });
      await sink.commit(
        output(job, "0", 1, [win(0, "u1", 1, 1)], {
          deadLetters: [deadLetter("0", 3, "a"), deadLetter("0", 4, "b")],
          late: [lateEvent("0", 5)],
        }),
      );
      // Epoch 1 replayed, then epoch 2 repeating a position already kept (a replay across a reset).
      await sink.commit(
        output(job, "0", 1, [], { deadLetters: [deadLetter("0", 3, "a")], late: [lateEvent("0", 5)] }),
      );
      await sink.commit(
        output(job, "0", 2, [], {
          deadLetters: [deadLetter("0", 4, "b"), deadLetter("0", 9, "c")],
          late: [lateEvent("0", 5), lateEvent("0", 11)],
        }),
      );
      await sink.commit(output(job, "1", 1, [], { deadLetters: [deadLetter("1", 3, "d")] }));

      const dl = deadLetterTableOf(job);
      expect(dl.schema).toBe("quarantine");
      expect(dl.name).toMatch(/^user_events_\d+_\d+_\w+_dead_letters$/);
      expect(await keys(dl)).toEqual(["0@3", "0@4", "0@9", "1@3"]);
      const [row] = await engine.query<{ job: string; kind: string; error: string; raw: Uint8Array }>(
        `SELECT job, kind, error, raw FROM ${engine.dialect.quoteTable(dl)} WHERE position = 9`,
      );
      expect(row).toMatchObject({ job, kind: "parse", error: "not JSON" });
      expect(Buffer.from(row!.raw)).toEqual(Buffer.from([0xff, ...Buffer.from("c")]));

      expect(await keys(lateTableOf(job))).toEqual(["0@5", "0@11"]);
      const late = await engine.query<{ reason: string; event: unknown; late_by: unknown }>(
        `SELECT reason, CAST(event AS VARCHAR) AS event,
                CAST(extract(epoch FROM watermark - event_time) AS INTEGER) AS late_by
         FROM ${engine.dialect.quoteTable(lateTableOf(job))} WHERE position = 11`,
      );
      expect(late).toHaveLength(1);
      expect(late[0]!.reason).toBe("behind the watermark by 60 min");
      expect(JSON.parse(String(late[0]!.event))).toEqual({ user_id: "u9", position: 11 });
      expect(Number(late[0]!.late_by)).toBe(3600);
    });

    it("keeps a dead letter whose error quotes NULs of binary garbage (written \\u0000), raw bytes whole", async () => {
      const job = newJob();
      const sink = new WarehouseEpochSink(engine, { table: table("nul"), key: KEY });
      const raw = new Uint8Array([0x00, 0xff, 0x41, 0x00]);
      let error = "";
      try {
        JSON.parse(new TextDecoder().decode(raw));
      } catch (e) {
        error = `not JSON: ${(e as Error).message}`;
      }
      expect(error).toContain("\u0000");
      await sink.commit(
        output(job, "0", 1, [], {
          deadLetters: [{ partition: "0", position: 7, raw, kind: "parse", error }],
        }),
      );
      const [row] = await engine.query<{ error: string; raw: Uint8Array }>(
        `SELECT error, raw FROM ${engine.dialect.quoteTable(deadLetterTableOf(job))}`,
      );
      expect(row!.error).toBe(error.replaceAll("\u0000", "\\u0000"));
      expect(Buffer.from(row!.raw)).toEqual(Buffer.from(raw));
    });

    it("writes dead letters and late events to the tables it is given", async () => {
      const job = newJob();
      const deadLetterTable = `${schema}.dlq_${n}`;
      const lateTable = { schema, name: `late_${n}` };
      const sink = new WarehouseEpochSink(engine, {
        table: table("t"),
        key: KEY,
        deadLetterTable,
        lateTable,
      });
      await sink.commit(
        output(job, "0", 1, [], { deadLetters: [deadLetter("0", 1, "x")], late: [lateEvent("0", 2)] }),
      );
      expect(await keys({ schema, name: `dlq_${n}` })).toEqual(["0@1"]);
      expect(await keys(lateTable)).toEqual(["0@2"]);
    });

    it("a failing epoch leaves no rows and no epoch behind", async () => {
      const job = newJob();
      const target = table("atomic");
      const sink = new WarehouseEpochSink(engine, { table: target, key: KEY });
      await sink.commit(output(job, "0", 1, [win(0, "u1", 1, 1)]));
      // A late event without a position fails its insert, the last write of the epoch: after
      // the epoch was claimed, the windows upserted and the dead letters inserted.
      const bad = output(job, "0", 2, [win(0, "u1", 5, 5), win(5, "u1", 1, 1)], {
        deadLetters: [deadLetter("0", 7, "z")],
        late: [{ ...lateEvent("0", 8), position: null as unknown as number }],
      });
      await expect(sink.commit(bad)).rejects.toMatchObject({
        code: "STREAM_SINK_FAILED",
        details: { job, partition: "0", epoch: 2, sink: sink.name },
      });
      expect(await sink.committedEpoch(job, "0")).toBe(1);
      expect(await windows(target)).toEqual(["0:u1=1/1"]);
      expect(await keys(deadLetterTableOf(job))).toEqual([]);
      expect(await keys(lateTableOf(job))).toEqual([]);

      await sink.commit(
        output(job, "0", 2, [win(5, "u1", 1, 1)], { deadLetters: [deadLetter("0", 7, "z")] }),
      );
      expect(await windows(target)).toEqual(["0:u1=1/1", "5:u1=1/1"]);
      expect(await keys(deadLetterTableOf(job))).toEqual(["0@7"]);
    });

    it("writes an epoch committed by two processes at once exactly once", async () => {
      const job = newJob();
      const target = table("twice");
      // On PostgreSQL a second engine (pool) is a second process as far as the server can tell.
      const other = name === "PostgreSQL" ? await open() : engine;
      try {
        const sinks = [engine, other, engine, other].map(
          (e) => new WarehouseEpochSink(e, { table: target, key: KEY }),
        );
        for (const epoch of [1, 2, 3]) {
          const out = output(job, "0", epoch, [win(epoch * 5, "u1", epoch, epoch)], {
            upsert: false,
            deadLetters: [deadLetter("0", epoch, "x")],
          });
          await Promise.all(sinks.map((s) => s.commit(out)));
        }
        expect(await windows(target)).toEqual(["5:u1=1/1", "10:u1=2/2", "15:u1=3/3"]);
        expect(await keys(deadLetterTableOf(job))).toEqual(["0@1", "0@2", "0@3"]);
      } finally {
        if (other !== engine) await other.close();
      }
    });

    it("commits several partitions of a job at once", async () => {
      const job = newJob();
      const target = table("parallel");
      const sink = new WarehouseEpochSink(engine, { table: target, key: KEY });
      const partitions = ["0", "1", "2", "3"];
      for (const epoch of [1, 2]) {
        await Promise.all(
          partitions.map((p) =>
            sink.commit(
              output(job, p, epoch, [win(epoch * 5, `u${p}`, epoch, epoch)], {
                deadLetters: [deadLetter(p, epoch, "x")],
                late: [lateEvent(p, 100 + epoch)],
              }),
            ),
          ),
        );
      }
      expect(await windows(target)).toHaveLength(8);
      expect(await keys(deadLetterTableOf(job))).toHaveLength(8);
      expect(await Promise.all(partitions.map((p) => sink.committedEpoch(job, p)))).toEqual([2, 2, 2, 2]);
    });
  });
}

const SCHEMA = `weir_wh_sink_${process.pid}_${Date.now().toString(36)}`;

warehouseSinkSuite("DuckDB", () => openEngine(":memory:"), SCHEMA);

describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  warehouseSinkSuite("PostgreSQL", () => openEngine(POSTGRES_URL), SCHEMA);
});
