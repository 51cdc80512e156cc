import type { Command } from "commander";
import { ConfigError, messageOf } from "../../core/errors.js";
import type { PipelineDefinition } from "../../orchestrator/define-pipeline.js";
import { requirePostgresMetadata } from "../../orchestrator/distributed/open-task-runner.js";
import type { RemoteJob } from "../../orchestrator/distributed/queue-job.js";
import { WeirWorker } from "../../orchestrator/distributed/weir-worker.js";
import { WorkerPipelines } from "../../orchestrator/distributed/worker-pipelines.js";
import { loadCliProject, openCliRuntime } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";

interface WorkerCommandOptions {
  queues: string;
  concurrency: string;
  name?: string;
}

/**
 * `weir worker [--queues heavy,default] [--concurrency 4] [--name N]`: takes task attempts
 * of the distributed executor from the PostgreSQL queue until SIGTERM/SIGINT. The first
 * signal stops taking jobs and drains (running attempts finish and are recorded, then exit
 * 0); a second one aborts the running attempts (their executors queue them again without
 * using a retry) and exits 130.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run task attempts of the distributed executor from the PostgreSQL queue, until SIGTERM")
    .option("--queues <names>", "comma-separated queues to take attempts from", "default")
    .option("--concurrency <n>", "attempts at once", "1")
    .option("--name <name>", "shown by `weir workers list` (default: the host name)")
    .action(async (options: WorkerCommandOptions) => {
      const queues = options.queues
        .split(",")
        .map((q) => q.trim())
        .filter(Boolean);
      const concurrency = Number(options.concurrency);
      if (queues.length === 0 || !queues.every((q) => /^[A-Za-z0-9_-]+$/.test(q))) {
        throw new ConfigError(
          `--queues "${options.queues}": expected names of letters, digits, _ and -, comma-separated`,
        );
      }
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new ConfigError(
          `--concurrency "${options.concurrency}": expected a whole number of at least 1`,
        );
      }
      const { config, registry } = await loadCliProject();
      const url = requirePostgresMetadata(config, "weir worker");
      const heartbeatTimeoutMs = heartbeatTimeoutOf(config);
      // One runtime for the process; the DuckDB warehouse file is opened per attempt by it.
      const runtime = await openCliRuntime(config);
      // Each pipeline file is imported once (again only when it changes), not per job.
      const pipelines = new WorkerPipelines(registry);
      const pipelineOf = (job: RemoteJob): Promise<PipelineDefinition> => pipelines.of(job);
      let worker: WeirWorker;
      try {
        worker = await WeirWorker.start({
          store: runtime.metadata,
          url,
          queueSchema: config.distributed.queueSchema,
          queues,
          concurrency,
          ...(options.name ? { name: options.name } : {}),
          pipelineOf,
          openRuntime: async () => ({
            engine: runtime.engine,
            lake: runtime.lake,
            lakeEngine: runtime.lakeEngine,
            release: async () => undefined,
          }),
          heartbeatMs: Math.max(10, Math.min(5_000, Math.floor(heartbeatTimeoutMs / 4))),
          pollMs: Math.max(100, Math.min(2_000, config.distributed.pollMs)),
          logger: {
            log: (e) =>
              e.level === "warn" || e.level === "error" ? print(`${e.level} ${e.message}`) : undefined,
          },
        });
      } catch (error) {
        await runtime.close();
        throw error;
      }
      print(`worker ${worker.id} on queues ${queues.join(", ")}, concurrency ${concurrency}`);
      let signals = 0;
      let code = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          print(`${signal}: draining (${worker.running} attempt(s) running; again to abort them)`);
          void worker.drain();
          return;
        }
        code = 130;
        print(`${signal} again: aborting ${worker.running} running attempt(s)`);
        void worker.abort(`the worker got ${signal}`);
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      try {
        await worker.stopped;
        print(`worker stopped (${worker.executed} attempt(s) run)`);
      } catch (error) {
        print(`worker stopped: ${messageOf(error)}`);
        code ||= 1;
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        await runtime.close();
      }
      process.exitCode = code;
    });
}

function print(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}
