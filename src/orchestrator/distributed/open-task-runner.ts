import type { ExecutorKind } from "../../config/project-config.js";
import { ConfigError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { DistributedTaskRunner } from "./distributed-task-runner.js";

export interface ExecutorConfig {
  executor: ExecutorKind;
  distributed: { queueSchema: string; pollMs: number };
  metadataUrl?: string;
}

/**
 * The task runner the project's `executor` asks for: none for `local` (tasks run in the
 * executor's process), the queue for `distributed` — which needs the metadata store on
 * PostgreSQL, since the queue and the hand-over rows live there.
 */
export async function openTaskRunner(
  config: ExecutorConfig,
  store: MetadataStore,
): Promise<DistributedTaskRunner | undefined> {
  if (config.executor === "local") return undefined;
  const url = requirePostgresMetadata(config, 'executor: "distributed"');
  return DistributedTaskRunner.open({
    store,
    url,
    queueSchema: config.distributed.queueSchema,
    pollMs: config.distributed.pollMs,
  });
}

/** The metadata URL when it is PostgreSQL; a ConfigError naming what needs it otherwise. */
export function requirePostgresMetadata(config: { metadataUrl?: string }, what: string): string {
  const url = config.metadataUrl;
  if (url && /^postgres(ql)?:\/\//i.test(url)) return url;
  throw new ConfigError(
    `${what} needs a PostgreSQL metadata store (the queue lives there): set WEIR_METADATA_URL=postgres://… or \`metadata\` in weir.config.ts (it is ${url ? "not PostgreSQL" : "the embedded SQLite file"})`,
    { details: { setting: "metadata" } },
  );
}
