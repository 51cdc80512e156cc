import { loadProjectConfig } from "../config/load-project-config.js";
import type { ProjectConfig } from "../config/project-config.js";
import { redactingStore } from "../config/redacting-store.js";
import { ConfigError } from "../core/errors.js";
import { parseLogicalDate } from "../core/interval.js";
import { type Logger, silentLogger } from "../core/log.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { createChannels } from "../notifications/create-channels.js";
import { mergeRoutes } from "../notifications/merge-routes.js";
import type { Notification } from "../notifications/notification.js";
import { Notifier } from "../notifications/notifier.js";
import type { PipelineDefinition } from "../orchestrator/define-pipeline.js";
import { openRuntime, type WeirRuntime } from "../orchestrator/open-runtime.js";
import { PipelineRegistry } from "../orchestrator/pipeline-registry.js";
import { requireStore } from "./cli-home.js";

/** What most commands start from: the project config and its pipelines. */
export interface CliProject {
  config: ProjectConfig;
  registry: PipelineRegistry;
}

/**
 * Loads `weir.config.ts` (from the working directory up) and the pipeline registry it
 * describes, and settles the home every command uses (see `cli-home.ts`): `--home` /
 * `WEIR_HOME`, else the config's, else `.weir` next to the config (or here, without one).
 */
export async function loadCliProject(): Promise<CliProject> {
  const config = await loadProjectConfig(process.cwd());
  // Library code and pipelines find the home through weirPaths(): make it the project's.
  process.env.WEIR_HOME = config.home;
  return { config, registry: new PipelineRegistry(config.pipelines, { cwd: process.cwd() }) };
}

/**
 * The metadata store alone, secrets scrubbed from writes. `read` (commands that only read
 * history) refuses to create it: there is no history without a home.
 */
export async function openCliStore(
  config: ProjectConfig,
  options: { read?: boolean } = {},
): Promise<MetadataStore> {
  if (options.read) requireStore(config);
  return redactingStore(await openMetadataStore(config.metadataUrl ?? `${config.home}/weir.db`));
}

/**
 * Warehouse, lake and metadata store of the project; the store scrubs secrets from what is
 * written. The DuckDB warehouse file is opened on demand (held per task attempt) unless
 * `holdWarehouse` keeps it open for the command (a short one running many statements).
 */
export async function openCliRuntime(
  config: ProjectConfig,
  options: { holdWarehouse?: boolean } = {},
): Promise<WeirRuntime> {
  const runtime = await openRuntime({
    home: config.home,
    ...(config.metadataUrl ? { metadataUrl: config.metadataUrl } : {}),
    ...(config.warehouse ? { warehouse: config.warehouse } : {}),
    ...(config.lineage ? { lineage: config.lineage } : {}),
    ...(config.warehouseLockTimeoutMs === undefined
      ? {}
      : { warehouseLockTimeoutMs: config.warehouseLockTimeoutMs }),
    ...(options.holdWarehouse ? { holdWarehouse: true } : {}),
  });
  return { ...runtime, metadata: redactingStore(runtime.metadata) };
}

/**
 * The project's notification channels (their secrets read from the environment, which also
 * registers them for scrubbing) and a `notify` for one pipeline's routes.
 */
export function cliNotifier(
  config: ProjectConfig,
  logger: Logger = silentLogger,
): {
  notifier: Notifier;
  problems: string[];
  notifyFor(pipeline: PipelineDefinition): (n: Notification) => Promise<void>;
} {
  const { channels, problems } = createChannels(config.channels);
  const notifier = new Notifier(channels, { logger });
  return {
    notifier,
    problems,
    notifyFor: (pipeline) => {
      const routes = mergeRoutes(config.defaultRoutes, pipeline.notifications.routes);
      return async (n) => {
        await notifier.route(n, routes);
      };
    },
  };
}

/**
 * A logical date from the command line: "YYYY-MM-DD" (midnight UTC) or an ISO-8601 instant
 * ("2024-01-15T02:00:00Z"). `endOfDay` makes a plain date mean the whole day (for `--to`).
 */
export function parseCliDate(
  text: string,
  option: string,
  endOfDay = false,
): { date: Date; dateOnly: boolean } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = parseLogicalDate(text);
    return { date: endOfDay ? new Date(day.getTime() + 86_400_000 - 1) : day, dateOnly: true };
  }
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) {
    throw new ConfigError(
      `invalid ${option} "${text}": expected YYYY-MM-DD or an ISO-8601 instant such as 2024-01-15T02:00:00Z`,
      { details: { value: text } },
    );
  }
  return { date, dateOnly: false };
}

/** Collects repeatable `--param key=value` options. */
export function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) {
    throw new ConfigError(`invalid --param "${value}": expected key=value`, { details: { param: value } });
  }
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Collects a repeatable option into a list. */
export function collectList(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses a positive whole number option. */
export function parseCount(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`invalid ${option} "${text}": expected a whole number of at least 1`);
  }
  return n;
}
