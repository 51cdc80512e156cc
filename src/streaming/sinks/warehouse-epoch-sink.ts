import type { RecordBatch } from "../../core/batch.js";
import { ConfigError } from "../../core/errors.js";
import { type Schema, type TableRef, tableLabel, tableRef } from "../../core/types.js";
import { retryCreateRace } from "../../engines/create-race.js";
import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { writeTable } from "../../engines/table-writer.js";
import { ensureUpsertKey } from "../../engines/upsert-key.js";
import type { EpochOutput, EpochSink } from "../contracts.js";
import { claimEpoch, EPOCHS_KEY, EPOCHS_SCHEMA, EPOCHS_TABLE, readEpoch } from "./epoch-ledger.js";
import { mergeWindows } from "./merge-windows.js";
import { sinkFailed } from "./sink-error.js";
import {
  DEAD_LETTER_SCHEMA,
  deadLetterBatch,
  deadLetterTableOf,
  insertNew,
  LATE_SCHEMA,
  lateBatch,
  lateTableOf,
  QUARANTINE_KEY,
} from "./stream-quarantine.js";

export interface WarehouseEpochSinkOptions {
  /** The table window rows go to (`dw.user_activity`); created from the first epoch's windows when missing. */
  table: TableRef | string;
  /** The window rows' key, e.g. `["window_start", "user_id"]`: the upsert key, and the created table's primary key. */
  key: string[];
  /** Default `quarantine.<job>_dead_letters` (the job's `-` and other non-word characters as `_`). */
  deadLetterTable?: TableRef | string;
  /** Default `quarantine.<job>_late_events`. */
  lateTable?: TableRef | string;
  /** The sink's name in `weir_stream.epochs`, status lines and errors; default `warehouse:<table>`. */
  name?: string;
}

/**
 * Writes each epoch's window rows, dead letters and late events into a warehouse engine
 * (DuckDB or PostgreSQL) in ONE transaction that also raises the sink's epoch in
 * `weir_stream.epochs`: the epoch is claimed first (see `claimEpoch`), so an epoch the sink
 * already holds changes nothing, and a failure anywhere leaves neither rows nor epoch.
 *
 * Window rows are upserted by `key` when the output is `update` (a changed window replaces
 * its row) and appended otherwise; dead letters and late events are inserted keyed by
 * (job, partition, position), ignoring rows already there. Every write is columnar: a bulk
 * load (appender / COPY) and one statement, never an INSERT per row.
 *
 * Tables are created before the transaction, race-free (`CREATE … IF NOT EXISTS` run again
 * when it loses a race with another session): DuckDB cannot create a schema inside a
 * transaction that others also create, and PostgreSQL's unique index for an upsert must not
 * be built inside a write transaction. On DuckDB, whose writers conflict instead of waiting,
 * commits to one target table are queued in-process (as `writeTable` queues its writes).
 *
 * @example
 * const sink = new WarehouseEpochSink(engine, { table: "dw.user_activity_5m", key: ["window_start", "user_id"] });
 */
export class WarehouseEpochSink implements EpochSink {
  readonly name: string;
  private readonly target: TableRef;
  private readonly key: string[];
  /** Tables this sink has made sure exist (by label), so later epochs skip the catalog look. */
  private readonly ready = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly options: WarehouseEpochSinkOptions,
  ) {
    this.target = typeof options.table === "string" ? tableRef(options.table) : options.table;
    this.key = [...options.key];
    if (this.key.length === 0) {
      throw new ConfigError(`warehouse sink ${tableLabel(this.target)} needs key columns (options.key)`, {
        details: { table: tableLabel(this.target) },
      });
    }
    this.name = options.name ?? `warehouse:${tableLabel(this.target)}`;
  }

  async commit(output: EpochOutput): Promise<void> {
    try {
      const deadLetters = this.tableOf(this.options.deadLetterTable, deadLetterTableOf(output.job));
      const late = this.tableOf(this.options.lateTable, lateTableOf(output.job));
      await this.ensureTables(output, deadLetters, late);
      await serialWrites(this.engine, this.target, () =>
        this.engine.transaction(async (tx) => {
          if (!(await claimEpoch(tx, this.name, output))) return;
          if (output.windows.numRows > 0 && output.upsert && this.engine.kind === "duckdb") {
            await mergeWindows(tx, this.target, output.windows, this.key);
          } else if (output.windows.numRows > 0) {
            await writeTable(
              tx,
              this.target,
              { batches: [output.windows] },
              { mode: output.upsert ? "upsert" : "append", key: this.key },
            );
          }
          if (output.deadLetters.length > 0) {
            const batch = deadLetterBatch(output.job, output.deadLetters, new Date().toISOString());
            await insertNew(tx, deadLetters, batch, QUARANTINE_KEY);
          }
          if (output.late.length > 0)
            await insertNew(tx, late, lateBatch(output.job, output.late), QUARANTINE_KEY);
        }),
      );
    } catch (error) {
      throw sinkFailed(this.name, output, error);
    }
  }

  committedEpoch(job: string, partition: string): Promise<number | undefined> {
    return readEpoch(this.engine, this.name, job, partition);
  }

  /** The engine belongs to the caller: nothing to close. */
  async close(): Promise<void> {}

  private tableOf(given: TableRef | string | undefined, fallback: TableRef): TableRef {
    if (given === undefined) return fallback;
    return typeof given === "string" ? tableRef(given) : given;
  }

  /** Creates, outside the commit's transaction, every table this epoch writes. */
  private async ensureTables(output: EpochOutput, deadLetters: TableRef, late: TableRef): Promise<void> {
    await this.ensureTable(EPOCHS_TABLE, EPOCHS_SCHEMA, EPOCHS_KEY);
    if (output.deadLetters.length > 0)
      await this.ensureTable(deadLetters, DEAD_LETTER_SCHEMA, QUARANTINE_KEY);
    if (output.late.length > 0) await this.ensureTable(late, LATE_SCHEMA, QUARANTINE_KEY);
    if (output.windows.schema.fields.length > 0) await this.ensureTarget(output.windows, output.upsert);
  }

  private async ensureTable(table: TableRef, schema: Schema, primaryKey: string[]): Promise<void> {
    const label = tableLabel(table);
    if (this.ready.has(label)) return;
    await retryCreateRace(() => this.engine.createTable(table, schema, { ifNotExists: true, primaryKey }));
    this.ready.add(label);
  }

  /**
   * The window table: created from the windows' schema with the key as primary key; an
   * existing one (made by hand, say) is given a unique key on `key` when upserting, as
   * `writeTable` needs.
   */
  private async ensureTarget(windows: RecordBatch, upsert: boolean): Promise<void> {
    const label = tableLabel(this.target);
    if (this.ready.has(label)) return;
    const names = new Set(windows.schema.fields.map((f) => f.name));
    const missing = this.key.filter((k) => !names.has(k));
    if (missing.length > 0) {
      throw new ConfigError(
        `warehouse sink ${label}: key column ${missing.map((k) => JSON.stringify(k)).join(", ")} is not among the window columns (${[...names].join(", ")})`,
        { details: { table: label, key: this.key, columns: [...names] } },
      );
    }
    // DuckDB upserts by MERGE (see merge-windows.ts), which needs no unique index.
    const merges = upsert && this.engine.kind === "duckdb";
    if (await this.engine.describe(this.target)) {
      if (upsert && !merges) await ensureUpsertKey(this.engine, this.target, this.key);
    } else {
      await retryCreateRace(() =>
        this.engine.createTable(this.target, windows.schema, {
          ifNotExists: true,
          ...(merges ? {} : { primaryKey: this.key }),
        }),
      );
    }
    this.ready.add(label);
  }
}
