import { execFileSync } from "node:child_process";
import { closeSync, constants, createReadStream, openSync, readSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "./engine.js";
import { applySchemaChange, type OnSchemaChange } from "./schema-change.js";

/** An engine that bulk-loads CSV (PostgreSQL's `COPY … FROM STDIN (FORMAT csv)`). */
export interface CsvLoader {
  loadCsv(
    table: TableRef,
    columns: readonly string[],
    csv: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  ): Promise<number>;
}

export function loadsCsv(engine: Engine): engine is Engine & CsvLoader {
  return typeof (engine as Partial<CsvLoader>).loadCsv === "function";
}

/**
 * Copies a query's result from an engine that writes CSV itself (DuckDB) into one that
 * loads CSV (PostgreSQL), in one transaction on the target. The source writes into a
 * named pipe that the target's COPY reads at the same time, so no value is converted in
 * JS and nothing touches the disk; without `mkfifo` a temporary file is used instead.
 * Only `append` and `overwrite`; other modes go through batches.
 */
export async function copyThroughCsv(
  from: Engine,
  sql: string,
  fields: Schema["fields"],
  to: Engine & CsvLoader,
  toTable: TableRef,
  options: { mode: "append" | "overwrite"; schema?: Schema; onSchemaChange?: OnSchemaChange },
): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "weir-csv-"));
  const file = path.join(dir, "rows.csv");
  let fifo = true;
  try {
    execFileSync("mkfifo", [file], { stdio: "ignore" });
  } catch {
    fifo = false;
  }
  const q = from.dialect;
  // BLOBs as PostgreSQL's hex bytea input; everything else in the engine's own text form.
  const select = fields
    .map((f) =>
      f.type === "blob"
        ? `'\\x' || hex(${q.quoteIdent(f.name)}) AS ${q.quoteIdent(f.name)}`
        : q.quoteIdent(f.name),
    )
    .join(", ");
  // DuckDB writes NULL as nothing and an empty string as "", which is how PostgreSQL reads
  // them. A lone `\.` line would end PostgreSQL's COPY, so one-column output is all quoted.
  const forceQuote = fields.length === 1 ? ", FORCE_QUOTE *" : "";
  const copySql = `COPY (SELECT ${select} FROM (${sql}) AS weir_q) TO ${q.quoteLiteral(file)} (FORMAT csv, HEADER false${forceQuote}, USE_TMP_FILE false)`;
  const columns = fields.map((f) => f.name);
  try {
    return await to.transaction(async (tx) => {
      const found = await tx.describe(toTable);
      if (!found) await tx.createTable(toTable, options.schema ?? { fields });
      else {
        // The same schema rules as writeTable: an overwrite replaces a schema that differs.
        const wanted = options.schema ?? { fields };
        const { schema: existing, replaced } = await applySchemaChange(tx, toTable, found, wanted, options);
        const known = new Set(existing.fields.map((f) => f.name));
        const unknown = columns.filter((c) => !known.has(c));
        if (unknown.length > 0) {
          throw new EngineError(
            "SCHEMA_MISMATCH",
            `cannot copy into ${tableLabel(toTable)}: it has no column ${unknown.map((c) => JSON.stringify(c)).join(", ")}`,
            { details: { table: tableLabel(toTable), unknownColumns: unknown } },
          );
        }
        if (options.mode === "overwrite" && !replaced)
          await tx.run(`DELETE FROM ${tx.dialect.quoteTable(toTable)}`);
      }
      const loader = tx as Engine & CsvLoader;
      if (!fifo) {
        await from.run(copySql);
        return loader.loadCsv(toTable, columns, createReadStream(file));
      }
      return pipeThroughFifo(file, from.run(copySql), (reader) => loader.loadCsv(toTable, columns, reader));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the writer (into the FIFO) and the loader (reading it) together. Whichever side
 * fails, the other is unblocked so nothing hangs: a failed writer's reader gets EOF, and a
 * failed reader's writer gets its pipe drained until it stops.
 */
async function pipeThroughFifo(
  file: string,
  writer: Promise<unknown>,
  load: (reader: NodeJS.ReadableStream) => Promise<number>,
): Promise<number> {
  let writerSettled = false;
  let writerError: unknown;
  const writerDone = writer.then(
    () => {
      writerSettled = true;
    },
    (error: unknown) => {
      writerSettled = true;
      writerError = error;
    },
  );
  const reader = createReadStream(file, { highWaterMark: 1 << 20 });
  let readerClosed = false;
  reader.once("close", () => {
    readerClosed = true;
  });
  const loaded = load(reader);
  // If the writer failed before opening its end, the reader waits in open() forever:
  // open and close a write end so it sees EOF (the transaction then rolls back).
  void writerDone.then(async () => {
    while (writerError !== undefined && !readerClosed) {
      try {
        closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {}
      await sleep(10);
    }
  });
  try {
    const rows = await loaded;
    await writerDone;
    if (writerError !== undefined) throw writerError;
    return rows;
  } catch (error) {
    // The loader failed: drain the pipe so a writer blocked in open() or write() can finish.
    while (!writerSettled) {
      try {
        const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
        const buf = Buffer.allocUnsafe(1 << 16);
        try {
          while (readSync(fd, buf) > 0);
        } catch {}
        closeSync(fd);
      } catch {}
      await sleep(10);
    }
    // The loader's error is the cause; the writer only failed because its pipe closed.
    throw error;
  }
}
