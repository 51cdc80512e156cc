import type { Command } from "commander";
import type { ProjectConfig } from "../../config/project-config.js";
import { redactingLogger } from "../../config/redacting-store.js";
import { ConfigError } from "../../core/errors.js";
import type { LogEvent } from "../../core/log.js";
import { weirPaths } from "../../core/paths.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { createMetricsEndpoint } from "../../monitoring/metrics-endpoint.js";
import type { DistributedTaskRunner } from "../../orchestrator/distributed/distributed-task-runner.js";
import { openTaskRunner } from "../../orchestrator/distributed/open-task-runner.js";
import type { WeirRuntime } from "../../orchestrator/open-runtime.js";
import { Scheduler } from "../../orchestrator/scheduler/scheduler.js";
import { notFound } from "../../server/api-error.js";
import { assertSafeBind, SqlTokenStore } from "../../server/auth/index.js";
import { RunEventHub } from "../../server/events/run-event-hub.js";
import type { StreamResetter } from "../../server/server-options.js";
import { startServer } from "../../server/start-server.js";
import type { StartPosition } from "../../streaming/contracts.js";
import { openStreamSource } from "../../streaming/open-stream-parts.js";
import { findStreamJob } from "../../streaming/stream-job-registry.js";
import { cliNotifier, loadCliProject, openCliRuntime, openCliStore } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { packageVersion } from "../package-version.js";

interface ServeOptions {
  host: string;
  port: string;
  scheduler: boolean;
}

/**
 * `weir serve [--host 127.0.0.1] [--port 8080] [--no-scheduler]`: the HTTP API and web UI.
 * By default an embedded scheduler executes runs (triggered ones included); with
 * `--no-scheduler` a separate `weir scheduler` does, and this process opens only the
 * metadata store (no warehouse, no lake engine). SIGTERM/SIGINT stop it cleanly.
 */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the HTTP API and the web UI (with an embedded scheduler unless --no-scheduler)")
    .option("--host <host>", "address to listen on (non-loopback needs an API token)", "127.0.0.1")
    .option("--port <port>", "port to listen on; 0 picks a free one", "8080")
    .option("--no-scheduler", "do not execute runs here: leave them to a separate `weir scheduler`")
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new ConfigError(`invalid --port ${JSON.stringify(options.port)}: expected 0 to 65535`);
      }
      const { config, registry } = await loadCliProject();
      const logger = redactingLogger({ log: printLog });
      let runtime: WeirRuntime | undefined;
      let store: MetadataStore;
      let taskRunner: DistributedTaskRunner | undefined;
      if (options.scheduler) {
        runtime = await openCliRuntime(config);
        store = runtime.metadata;
        // executor: "distributed" — the embedded scheduler owns runs, their tasks run on `weir worker`s.
        taskRunner = await openTaskRunner(config, store).catch(async (error: unknown) => {
          await runtime?.close();
          throw error;
        });
      } else store = await openCliStore(config);
      const hub = new RunEventHub();
      const stop = new AbortController();
      let schedulerDone: Promise<void> = Promise.resolve();
      const { notifier, problems } = cliNotifier(config, logger);
      try {
        // Refused before loading pipelines (seconds with tsx): the answer does not depend on them.
        await assertSafeBind(options.host, new SqlTokenStore(store));
        const { pipelines, failures } = await registry.list();
        for (const f of failures) logger.log({ level: "error", message: `not loaded: ${f.error.message}` });
        const paths = weirPaths(config.home);
        const server = await startServer({
          store,
          pipelines,
          paths,
          host: options.host,
          port,
          version: packageVersion(),
          runEvents: hub,
          metrics: createMetricsEndpoint(store, { lakeRoot: paths.lake, pipelines }),
          streamReset: streamResetter(config, store),
        });
        if (runtime) {
          for (const p of problems) logger.log({ level: "warn", message: p });
          const s = config.scheduler;
          const scheduler = new Scheduler({
            ...(taskRunner ? { taskRunner } : {}),
            pipelines,
            store,
            runtime,
            notifier,
            defaultRoutes: config.defaultRoutes,
            logger,
            listeners: [hub.listener],
            tickMs: s.tick,
            heartbeatTimeoutMs: heartbeatTimeoutOf(config),
            reapIntervalMs: s.reapInterval,
            maxConcurrentRuns: s.maxConcurrentRuns,
            shutdownGraceMs: s.shutdownGrace,
          });
          schedulerDone = scheduler.run(stop.signal);
        }
        process.stdout.write(
          `weir serve listening on ${server.url} (${runtime ? "embedded scheduler" : "no scheduler: runs wait for weir scheduler"})\n`,
        );
        await waitForSignal(stop, logger);
        await server.close();
        await schedulerDone;
        logger.log({ level: "info", message: "weir serve stopped" });
      } finally {
        stop.abort();
        await schedulerDone.catch(() => undefined);
        await taskRunner?.close();
        await notifier.close();
        if (runtime) await runtime.close();
        else await store.close();
      }
    });
}

/** Resolves on the first SIGTERM/SIGINT (aborting `stop`); a second one exits at once. */
function waitForSignal(stop: AbortController, logger: { log(e: LogEvent): void }): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) process.exit(130);
      logger.log({ level: "info", message: `${signal}: stopping` });
      stop.abort();
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.on("SIGTERM", () => process.exit(130));
      process.on("SIGINT", () => process.exit(130));
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/** `POST /api/streams/:job/reset` as `weir stream reset --to` does it: positions from the job's source. */
function streamResetter(config: ProjectConfig, store: MetadataStore): StreamResetter {
  return async (name, to) => {
    if ((await store.streams.list(name)).length === 0 && to === "earliest") {
      throw notFound(`stream job "${name}"`, { job: name });
    }
    const { job } = await findStreamJob(name, config.streams);
    const source = await openStreamSource(job, {});
    try {
      const out: { partition: string; after: number }[] = [];
      for (const partition of await source.partitions()) {
        const after = await source.positionBefore(partition, startPosition(to));
        await store.streams.reset(job.id, partition, after);
        out.push({ partition, after });
      }
      return out;
    } finally {
      await source.close();
    }
  };
}

function startPosition(text: string): StartPosition {
  if (text === "earliest" || text === "latest") return text;
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new ConfigError(`to must be earliest, latest or an ISO timestamp, got ${JSON.stringify(text)}`);
  }
  return new Date(time);
}

function printLog(event: LogEvent): void {
  process.stdout.write(`${new Date().toISOString()} ${event.level.padEnd(5)} ${event.message}\n`);
}
