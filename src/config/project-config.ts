import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { ConfigError } from "../core/errors.js";
import { type LineageConfig, lineageConfigSchema } from "../lineage/transports/lineage-config.js";

/** `duckdb:<file>` or `postgres://…` (also `postgresql://`). */
const WAREHOUSE_VALUE = /^(duckdb:.+|postgres(ql)?:\/\/.+)$/s;

/**
 * A secret is named, never written: `{ env: "WEIR_SMTP_PASSWORD" }` reads the variable when
 * the channel is built. A literal string is refused so a password cannot end up in git.
 */
const secretRef = z
  .strictObject({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
      .describe("the environment variable holding the secret"),
  })
  .describe('a secret read from the environment: { env: "VARIABLE" }');

const secretField = z.unknown().transform((value, ctx) => {
  const parsed = secretRef.safeParse(value);
  if (parsed.success) return parsed.data;
  ctx.addIssue({
    code: "custom",
    message:
      typeof value === "string"
        ? 'secrets never live in the config file: expected { env: "VARIABLE" } and the value in that environment variable'
        : 'expected { env: "VARIABLE" }',
  });
  return z.NEVER;
});

/** Where tasks run: `local` in the executor's process, `distributed` on `weir worker`s. */
export const EXECUTORS = ["local", "distributed"] as const;
export type ExecutorKind = (typeof EXECUTORS)[number];

const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  })
  .describe('a duration: milliseconds, or "500ms", "30s", "5m", "1h30m", "2d"');

const emailChannel = z.strictObject({
  type: z.literal("email"),
  host: z.string().min(1).describe("SMTP server host"),
  port: z.number().int().min(1).max(65535).default(587).describe("SMTP port"),
  secure: z.boolean().optional().describe("implicit TLS (port 465)"),
  requireTLS: z.boolean().optional().describe("refuse to send without STARTTLS"),
  user: z.string().optional().describe("SMTP user name"),
  password: secretField.optional().describe("SMTP password, from the environment"),
  from: z.string().min(3).describe("sender address"),
  to: z.array(z.string().min(3)).min(1).describe("recipient addresses"),
});

const webhookChannel = z.strictObject({
  type: z.literal("webhook"),
  url: secretField.describe("Slack-compatible incoming webhook URL, from the environment"),
  timeout: duration.optional().describe("request timeout"),
});

const channel = z.discriminatedUnion("type", [emailChannel, webhookChannel]);

const kinds = z.array(z.string().min(1));
const routes = z
  .strictObject({ failure: kinds, retry: kinds, success: kinds, sla_miss: kinds })
  .partial()
  .describe("channel names per notification kind");

/** The shape of `weir.config.ts`'s default export, as validated. */
export const projectConfigSchema = z.strictObject({
  pipelines: z
    .array(z.string().min(1))
    .default(["pipelines"])
    .describe(
      "folders holding pipelines (each sub-folder with a pipeline.ts, or .ts files exporting one), or pipeline files; relative to the config file",
    ),
  streams: z
    .array(z.string().min(1))
    .default(["streams"])
    .describe(
      "folders holding stream jobs (each sub-folder with a stream.ts, or *.stream.ts files), or stream job files; relative to the config file",
    ),
  warehouseModels: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "folders holding warehouse models (a warehouse.ts, sub-folders with one, or *.warehouse.ts files), or model files; relative to the config file (default: warehouse)",
    ),
  home: z.string().optional().describe("weir home folder (default .weir next to the config; WEIR_HOME wins)"),
  metadata: z
    .string()
    .optional()
    .describe("metadata store URL: a SQLite file path or postgres://… (WEIR_METADATA_URL wins)"),
  warehouse: z
    .string()
    .regex(WAREHOUSE_VALUE, 'expected "duckdb:<file>" or "postgres://user@host:port/db"')
    .optional()
    .describe(
      "the warehouse engine: duckdb:<file> relative to the config, or postgres://… (WEIR_WAREHOUSE_URL wins; default: <home>/warehouse.duckdb)",
    ),
  warehouseLockTimeout: duration
    .default(30_000)
    .describe(
      "how long opening the DuckDB warehouse file waits while another process holds it, then fails with WAREHOUSE_LOCKED (WEIR_WAREHOUSE_LOCK_TIMEOUT wins)",
    ),
  notifications: z
    .strictObject({
      channels: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), channel).default({}),
      defaults: routes.optional().describe("channels every pipeline notifies, added to its own"),
    })
    .default({ channels: {} }),
  lineage: lineageConfigSchema
    .optional()
    .describe(
      "where OpenLineage events go (default: NDJSON files under <home>/lineage, and the metadata store)",
    ),
  scheduler: z
    .strictObject({
      tick: duration.default(2_000).describe("how often the scheduler looks for due runs at most"),
      heartbeatTimeout: duration
        .default(60_000)
        .describe("a running attempt without a heartbeat for this long is a zombie"),
      reapInterval: duration.default(30_000).describe("how often zombies are looked for"),
      maxConcurrentRuns: z.number().int().min(1).default(4).describe("runs executing at once, all pipelines"),
      shutdownGrace: duration
        .default(30_000)
        .describe("on SIGTERM, how long in-flight attempts may finish before they are released"),
    })
    .prefault({}),
  executor: z
    .enum(EXECUTORS)
    .default("local")
    .describe(
      "where tasks run: local (in the weir run / scheduler process) or distributed (on `weir worker` processes through a PostgreSQL queue; needs a PostgreSQL metadata store). WEIR_EXECUTOR wins",
    ),
  distributed: z
    .strictObject({
      queueSchema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, "expected a lower-case PostgreSQL schema name")
        .default("weir_queue")
        .describe("the queue's schema in the metadata database (graphile-worker's tables)"),
      poll: duration
        .default(1_000)
        .describe("how often an executor looks at attempts on workers besides LISTEN/NOTIFY (dead workers)"),
    })
    .prefault({}),
});

/** What a `weir.config.ts` may export (durations as text or milliseconds). */
export type ProjectConfigInput = z.input<typeof projectConfigSchema>;
export type ChannelConfig = z.output<typeof channel>;
export type SchedulerConfig = z.output<typeof projectConfigSchema>["scheduler"];

/** A validated project config with every path absolute. */
export interface ProjectConfig {
  /** The folder of the config file (the current directory when there is none). */
  root: string;
  /** The config file, when one was found. */
  file?: string;
  /** Absolute folders or files where pipelines live. */
  pipelines: string[];
  /** Absolute folders or files where stream jobs live. */
  streams: string[];
  /**
   * Absolute folders or files where warehouse models live (`weir warehouse plan|apply`),
   * when configured; `weir warehouse` looks in `<root>/warehouse` otherwise.
   */
  warehouseModels?: string[];
  /** Absolute weir home. */
  home: string;
  /** Metadata store URL or SQLite path, when configured (`WEIR_METADATA_URL` or the config). */
  metadataUrl?: string;
  /**
   * The warehouse, when configured (`WEIR_WAREHOUSE_URL` or the config): the absolute path
   * of a DuckDB file, or a `postgres://…` URL (which may hold a password: print it only
   * through `redactUrl`).
   */
  warehouse?: string;
  /** How long opening the DuckDB warehouse file waits for another process's lock (ms). */
  warehouseLockTimeoutMs?: number;
  channels: Record<string, ChannelConfig>;
  defaultRoutes: z.output<typeof routes>;
  scheduler: SchedulerConfig;
  /** OpenLineage: namespace and transports (`lineage` in the config; file by default). */
  lineage?: LineageConfig;
  /** Where tasks run (`WEIR_EXECUTOR` or the config; default local). */
  executor: ExecutorKind;
  /** The distributed executor's queue schema and poll interval (ms). */
  distributed: { queueSchema: string; pollMs: number };
}

/**
 * Types a `weir.config.ts`: returns its argument, so the editor checks the fields.
 *
 * @example
 * // weir.config.ts
 * export default defineConfig({
 *   pipelines: ["pipelines"],
 *   notifications: { channels: { slack: { type: "webhook", url: { env: "SLACK_WEBHOOK_URL" } } },
 *                    defaults: { failure: ["slack"] } },
 * });
 */
export function defineConfig(config: ProjectConfigInput): ProjectConfigInput {
  return config;
}

/**
 * Validates a raw config object and resolves its paths against `root`. Every problem is
 * listed in one `ConfigError` as `path: message` lines naming the file.
 */
export function resolveProjectConfig(
  raw: unknown,
  options: { root: string; file?: string; env?: NodeJS.ProcessEnv },
): ProjectConfig {
  const parsed = projectConfigSchema.safeParse(raw ?? {});
  const where = options.file ?? "the project config";
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(config)";
      return `  ${path}: ${issue.message}`;
    });
    throw new ConfigError(`invalid project config ${where}:\n${lines.join("\n")}`, {
      details: {
        ...(options.file ? { file: options.file } : {}),
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    });
  }
  const config = parsed.data;
  const env = options.env ?? process.env;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.root, p));
  const metadataUrl = env.WEIR_METADATA_URL || config.metadata;
  return {
    root: options.root,
    ...(options.file ? { file: options.file } : {}),
    pipelines: config.pipelines.map(at),
    streams: config.streams.map(at),
    ...(config.warehouseModels ? { warehouseModels: config.warehouseModels.map(at) } : {}),
    home: env.WEIR_HOME ? resolve(env.WEIR_HOME) : at(config.home ?? ".weir"),
    ...(metadataUrl ? { metadataUrl: isUrl(metadataUrl) ? metadataUrl : at(metadataUrl) } : {}),
    ...warehouseOf(env.WEIR_WAREHOUSE_URL || config.warehouse, at),
    warehouseLockTimeoutMs: env.WEIR_WAREHOUSE_LOCK_TIMEOUT
      ? parseDuration(lockTimeoutText(env.WEIR_WAREHOUSE_LOCK_TIMEOUT), "WEIR_WAREHOUSE_LOCK_TIMEOUT")
      : config.warehouseLockTimeout,
    channels: config.notifications.channels,
    defaultRoutes: config.notifications.defaults ?? {},
    scheduler: config.scheduler,
    ...(config.lineage ? { lineage: config.lineage } : {}),
    executor: executorOf(env.WEIR_EXECUTOR, config.executor),
    distributed: { queueSchema: config.distributed.queueSchema, pollMs: config.distributed.poll },
  };
}

/** WEIR_EXECUTOR (when set) or the config's `executor`. */
function executorOf(variable: string | undefined, configured: ExecutorKind): ExecutorKind {
  if (!variable) return configured;
  if ((EXECUTORS as readonly string[]).includes(variable)) return variable as ExecutorKind;
  throw new ConfigError(`invalid WEIR_EXECUTOR "${variable}": expected ${EXECUTORS.join(" or ")}`, {
    details: { variable: "WEIR_EXECUTOR" },
  });
}

/** WEIR_WAREHOUSE_LOCK_TIMEOUT as a duration: "30s", "2m", or plain milliseconds. */
function lockTimeoutText(value: string): string | number {
  return /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** The configured warehouse: a PostgreSQL URL as is, a DuckDB file made absolute. */
function warehouseOf(value: string | undefined, at: (p: string) => string): { warehouse?: string } {
  if (!value) return {};
  if (!WAREHOUSE_VALUE.test(value)) {
    // Only WEIR_WAREHOUSE_URL gets here (the config was validated). Its value may hold a
    // password: it is not repeated.
    throw new ConfigError(
      'invalid WEIR_WAREHOUSE_URL: expected "duckdb:<file>" or "postgres://user@host:port/db"',
      { details: { variable: "WEIR_WAREHOUSE_URL" } },
    );
  }
  return { warehouse: value.startsWith("duckdb:") ? at(value.slice("duckdb:".length)) : value };
}

function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text === ":memory:";
}

/** The config used when a project has no `weir.config.ts`: pipelines are given by path. */
export function defaultProjectConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): ProjectConfig {
  return resolveProjectConfig({ pipelines: [], streams: [] }, { root: cwd, env });
}
