import { isAbsolute, join, resolve } from "node:path";
import { Secret, secretFromEnv } from "../../config/secret.js";
import { ConfigError } from "../../core/errors.js";
import { type Logger, silentLogger } from "../../core/log.js";
import { CompositeTransport } from "./composite-transport.js";
import { ConsoleTransport } from "./console-transport.js";
import { FileTransport } from "./file-transport.js";
import { HttpTransport } from "./http-transport.js";
import {
  type LineageConfig,
  type LineageConfigInput,
  type LineageTransportConfig,
  lineageConfigSchema,
} from "./lineage-config.js";
import type { LineageTransport } from "./transport.js";

export interface CreateLineageTransportOptions {
  /** weir's home folder (`weirPaths().home`, the `.weir` folder): file transports write to `<home>/lineage`. */
  home: string;
  logger?: Logger;
  /** The environment to read `OPENLINEAGE_*` and API keys from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The transport a project's `lineage` config asks for: all its transports behind one
 * composite. The environment variables the official OpenLineage clients read apply too:
 *
 * - `OPENLINEAGE_DISABLED=true`: nothing is emitted (like `disabled: true`).
 * - `OPENLINEAGE_URL`: an HTTP transport to that URL is added to the configured ones (the
 *   file record stays), with `OPENLINEAGE_ENDPOINT` (default `api/v1/lineage`) and
 *   `OPENLINEAGE_API_KEY` as the Bearer token — unless an `http` transport to the same URL
 *   is configured already.
 *
 * A missing API key variable is a `ConfigError` now, not a failed request later.
 *
 * @example
 * const lineage = createLineageTransport(config.lineage, { home: weirPaths().home, logger });
 * lineage.emit(event);
 * await lineage.close();
 */
export function createLineageTransport(
  config: LineageConfigInput | LineageConfig | undefined,
  options: CreateLineageTransportOptions,
): CompositeTransport {
  const parsed = lineageConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid lineage config: ${parsed.error.issues.map((i) => `${i.path.join(".") || "lineage"}: ${i.message}`).join("; ")}`,
    );
  }
  const env = options.env ?? process.env;
  if (parsed.data.disabled || isTrue(env.OPENLINEAGE_DISABLED)) return new CompositeTransport([]);
  const transports = parsed.data.transports.map((t) => transportOf(t, options, env));
  const envUrl = env.OPENLINEAGE_URL;
  if (envUrl) {
    const fromEnv = openLineageEnvTransport(envUrl, options, env);
    const already = transports.some(
      (t) => t instanceof HttpTransport && t.endpointUrl === fromEnv.endpointUrl,
    );
    if (!already) transports.push(fromEnv);
  }
  return new CompositeTransport(transports);
}

function transportOf(
  config: LineageTransportConfig,
  options: CreateLineageTransportOptions,
  env: NodeJS.ProcessEnv,
): LineageTransport {
  const logger = options.logger ?? silentLogger;
  switch (config.type) {
    case "file": {
      const dir =
        config.dir === undefined
          ? join(options.home, "lineage")
          : isAbsolute(config.dir)
            ? config.dir
            : resolve(options.home, config.dir);
      return new FileTransport({ dir, logger });
    }
    case "http":
      return new HttpTransport({
        url: config.url,
        endpoint: config.endpoint,
        apiKey:
          config.apiKeyEnv === undefined
            ? undefined
            : secretFromEnv(config.apiKeyEnv, { env, neededBy: "the lineage http transport" }),
        timeoutMs: config.timeoutMs,
        maxBuffer: config.maxBuffer,
        retries: config.retries,
        logger,
      });
    case "console":
      return new ConsoleTransport();
  }
}

/** The HTTP transport of the official clients' legacy variables: OPENLINEAGE_URL, _ENDPOINT, _API_KEY. */
function openLineageEnvTransport(
  url: string,
  options: CreateLineageTransportOptions,
  env: NodeJS.ProcessEnv,
): HttpTransport {
  try {
    new URL(url);
  } catch {
    throw new ConfigError("OPENLINEAGE_URL is not a URL", { details: { variable: "OPENLINEAGE_URL" } });
  }
  const apiKey = env.OPENLINEAGE_API_KEY
    ? new Secret("OPENLINEAGE_API_KEY", env.OPENLINEAGE_API_KEY)
    : undefined;
  return new HttpTransport({
    url,
    endpoint: env.OPENLINEAGE_ENDPOINT || undefined,
    apiKey,
    logger: options.logger ?? silentLogger,
  });
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["true", "1", "yes"].includes(value.trim().toLowerCase());
}
