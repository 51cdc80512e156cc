import { messageOf } from "../../core/errors.js";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { RunEvent } from "../openlineage/types.js";
import type { LineageStore } from "../store/lineage-store.js";
import { createLineageTransport } from "../transports/create-lineage-transport.js";
import {
  type LineageConfig,
  type LineageConfigInput,
  lineageConfigSchema,
} from "../transports/lineage-config.js";
import type { LineageTransport } from "../transports/transport.js";
import type { LineageEmitter } from "./lineage-emitter.js";

export interface CreateLineageEmitterOptions {
  /** weir's home folder: the file transport writes to `<home>/lineage`. */
  home: string;
  /** The metadata store's lineage tables, which `weir lineage` queries. */
  store?: LineageStore;
  logger?: Logger;
  /** A transport to use instead of the config's (tests). */
  transport?: LineageTransport;
}

/**
 * The project's lineage emitter: each event goes to the configured transports (file by
 * default, HTTP, console) and is recorded in the metadata store. A store that cannot record
 * an event logs a warning (once per problem) and the run goes on.
 */
export function createLineageEmitter(
  config: LineageConfigInput | LineageConfig | undefined,
  options: CreateLineageEmitterOptions,
): LineageEmitter {
  const logger = options.logger ?? silentLogger;
  const parsed = lineageConfigSchema.parse(config ?? {});
  const transport = options.transport ?? createLineageTransport(parsed, { home: options.home, logger });
  const store = parsed.disabled || process.env.OPENLINEAGE_DISABLED === "true" ? undefined : options.store;
  const warned = new Set<string>();
  return {
    namespace: parsed.namespace,
    async emit(event: RunEvent) {
      transport.emit(event);
      if (!store) return;
      try {
        await store.record(event);
      } catch (error) {
        const message = messageOf(error);
        if (warned.has(message)) return;
        warned.add(message);
        warn(logger, `lineage: the metadata store could not record an event: ${message}`);
      }
    },
    async flush() {
      await transport.flush();
    },
    async close() {
      await transport.close();
    },
  };
}
