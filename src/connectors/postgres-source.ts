import { z } from "zod";
import type { RecordBatch } from "../core/batch.js";
import { ConfigError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { queryShape } from "../engines/query-shape.js";
import { defineSource } from "./define-source.js";
import { extractBatches } from "./extract-batches.js";
import {
  cursorBounds,
  cursorPredicate,
  cursorType,
  highWaterMark,
  incrementalConfig,
} from "./incremental.js";
import type { ExtractResult, ReadContext, Source } from "./source.js";

export const postgresSourceConfig = z
  .object({
    url: z
      .string()
      .optional()
      .describe("postgres://… connection URL; better from an environment variable than in code"),
    table: z.string().min(1).optional().describe("`schema.table` or `table` to read (or give `query`)"),
    query: z.string().min(1).optional().describe("SELECT to read instead of a table"),
    incremental: incrementalConfig.optional(),
    batchSize: z.number().int().positive().default(10_000).describe("rows per streamed batch"),
  })
  .refine((c) => (c.table === undefined) !== (c.query === undefined), {
    message: "give exactly one of `table` or `query`",
  });

export type PostgresSourceConfig = z.input<typeof postgresSourceConfig> & {
  /** An open engine to read through (instead of `url`); the source does not close it. */
  engine?: Engine;
};

/**
 * A PostgreSQL table or query. The interval filter is pushed into PostgreSQL with bound
 * parameters (`"cursor" >= CAST($1 AS TIMESTAMP) AND "cursor" < CAST($2 AS TIMESTAMP)`) and
 * rows are streamed in batches. When the target is the same engine, `extract` runs
 * `CREATE TABLE … AS SELECT` in PostgreSQL with no round trip through Node.
 */
export class PostgresSource implements Source {
  readonly type = "postgres";
  readonly location: string;
  private readonly config: z.output<typeof postgresSourceConfig>;
  private engine: Promise<Engine> | undefined;
  private readonly ownsEngine: boolean;
  private cachedSchema: Promise<Schema> | undefined;

  constructor(config: PostgresSourceConfig) {
    const { engine, ...rest } = config;
    const parsed = postgresSourceConfig.safeParse(rest);
    if (!parsed.success) {
      throw new ConfigError(`postgres source: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    }
    if (!engine && !parsed.data.url) throw new ConfigError("postgres source: give `url` or an open `engine`");
    this.config = parsed.data;
    this.ownsEngine = !engine;
    if (engine) this.engine = Promise.resolve(engine);
    this.location = `postgres:${this.config.table ?? "query"}`;
  }

  private getEngine(): Promise<Engine> {
    // The pg driver loads only when a PostgreSQL source is used.
    this.engine ??= import("../engines/postgres/postgres-engine.js").then((m) =>
      m.PostgresEngine.create({ url: this.config.url! }),
    );
    return this.engine;
  }

  private baseSql(engine: Engine): string {
    return this.config.table !== undefined
      ? `SELECT * FROM ${engine.dialect.quoteTable(tableRef(this.config.table))}`
      : `SELECT * FROM (${this.config.query}) AS weir_q`;
  }

  async schema(): Promise<Schema> {
    this.cachedSchema ??= this.getEngine().then((e) => queryShape(e, this.baseSql(e)));
    return this.cachedSchema;
  }

  /** The filtered SELECT and its parameters for a context. */
  private async filtered(engine: Engine, context: ReadContext): Promise<{ sql: string; params: string[] }> {
    const sql = this.baseSql(engine);
    const column = this.config.incremental?.cursorColumn;
    if (!column) return { sql, params: [] };
    const type = cursorType(await this.schema(), column, this.location);
    const bounds = cursorBounds(context, type);
    if (!bounds) return { sql, params: [] };
    const where = cursorPredicate(engine.dialect, column, type, bounds);
    return { sql: `SELECT * FROM (${sql}) AS weir_src WHERE ${where}`, params: bounds.values };
  }

  async *read(context: ReadContext): AsyncGenerator<RecordBatch> {
    const engine = await this.getEngine();
    const { sql, params } = await this.filtered(engine, context);
    for await (const batch of engine.stream(sql, params, { batchSize: this.config.batchSize })) {
      context.signal?.throwIfAborted();
      if (batch.numRows > 0) yield batch;
    }
  }

  async extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult> {
    const own = await this.getEngine();
    const cursorColumn = this.config.incremental?.cursorColumn;
    if (engine !== own)
      return extractBatches(this, engine, target, context, cursorColumn ? { cursorColumn } : {});
    const { sql, params } = await this.filtered(engine, context);
    return engine.transaction(async (tx) => {
      const { dialect } = tx;
      await tx.run(dialect.dropTable(target));
      if (target.schema !== undefined) await tx.createSchema(target.schema);
      const rowsLoaded = await tx.run(`CREATE TABLE ${dialect.quoteTable(target)} AS ${sql}`, params);
      const result: ExtractResult = { rowsRead: rowsLoaded, rowsLoaded, rejections: [], rowsSkipped: 0 };
      if (cursorColumn) {
        const cursor = await highWaterMark(tx, target, cursorColumn);
        if (cursor !== undefined) result.cursor = cursor;
      }
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.ownsEngine && this.engine) await (await this.engine).close();
    this.engine = undefined;
  }
}

export const postgresSourceDefinition = defineSource({
  type: "postgres",
  description: "a PostgreSQL table or query, streamed in batches",
  config: postgresSourceConfig,
  create: (config) => new PostgresSource(config),
});
