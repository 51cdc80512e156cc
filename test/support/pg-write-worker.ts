/**
 * A child process that writes into PostgreSQL with `writeTable` on request, so tests can
 * race two real processes. Started with `fork` (IPC); answers "ready", then one reply per
 * request: `{ id, ok: true, rowsWritten }` or `{ id, ok: false, code, message }`.
 */
import { batchFromRows } from "../../src/core/batch.js";
import { messageOf, WeirError } from "../../src/core/errors.js";
import type { TableRef } from "../../src/core/types.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { writeTable } from "../../src/engines/table-writer.js";
import { STRESS_SCHEMA } from "./upsert-stress.js";

export interface WriteRequest {
  id: number;
  table: TableRef;
  /** Upserts keys [from, to) with value `value`. */
  from: number;
  to: number;
  value: string;
}

export type WriteReply =
  | { id: number; ok: true; rowsWritten: number }
  | { id: number; ok: false; code: string; message: string };

const engine = await PostgresEngine.create({ url: process.env.WEIR_TEST_POSTGRES_URL!, poolSize: 4 });

process.on("message", (request: WriteRequest | "stop") => {
  if (request === "stop") {
    void engine.close().then(() => process.exit(0));
    return;
  }
  const rows = Array.from({ length: request.to - request.from }, (_, i) => ({
    id: request.from + i,
    v: request.value,
  }));
  writeTable(
    engine,
    request.table,
    { batches: [batchFromRows(STRESS_SCHEMA, rows)] },
    { mode: "upsert", key: ["id"] },
  ).then(
    (result) => process.send!({ id: request.id, ok: true, rowsWritten: result.rowsWritten }),
    (error) =>
      process.send!({
        id: request.id,
        ok: false,
        code: error instanceof WeirError ? error.code : "UNKNOWN",
        message: messageOf(error),
      }),
  );
});

process.send!("ready");
