import type { Command } from "commander";
import pc from "picocolors";
import { parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { silentLogger } from "../../core/log.js";
import type { PartitionStatus, StartPosition, StreamCounts } from "../../streaming/contracts.js";
import type { StreamJobDefinition } from "../../streaming/define-stream-job.js";
import { natsTarget, openStreamParts, openStreamSource } from "../../streaming/open-stream-parts.js";
import { END_OF_INPUT_WATERMARK } from "../../streaming/partition-task.js";
import { runStreamJob } from "../../streaming/run-stream-job.js";
import { partitionNames } from "../../streaming/sources/nats-names.js";
import type { StreamRunEvent } from "../../streaming/stream-events.js";
import { findStreamJob, loadStreamJob, streamJobFiles } from "../../streaming/stream-job-registry.js";
import { streamLineageListener } from "../../streaming/stream-lineage.js";
import { storeExists } from "../cli-home.js";
import { loadCliProject, openCliRuntime, openCliStore } from "../cli-project.js";
import { interruptSignal } from "../interrupt-signal.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";
import { registerStreamIngestCommand } from "./stream-ingest.js";

interface RunOptions {
  fromFile?: string;
  rate?: string;
  warehouseUrl?: string;
  natsUrl?: string;
  stopWhenIdle?: string;
  maxPartitions?: string;
  leaseTtl?: string;
  json?: boolean;
  quiet?: boolean;
  events?: boolean;
}

/** `weir stream list|run|ingest|status|reset`. */
export function registerStreamCommand(program: Command): void {
  const stream = program.command("stream").description("stream jobs: event-time windows, exactly-once sinks");

  stream
    .command("list")
    .description("the project's stream jobs (weir.config.ts `streams`)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const { config } = await loadCliProject();
      const rows = await Promise.all(
        streamJobFiles(config.streams).map(async (file) => {
          try {
            const { job } = await loadStreamJob(file);
            const src =
              job.source.type === "nats"
                ? `nats:${job.source.subject}${job.source.partitions ? ` ×${job.source.partitions}` : ""}`
                : `file:${job.source.path}`;
            const outputs = [
              job.events ? `lake.${job.events.lake}` : undefined,
              job.windows ? `${job.windows.table} (${job.windows.mode})` : undefined,
            ]
              .filter(Boolean)
              .join(", ");
            return { id: job.id, file, source: src, outputs };
          } catch (error) {
            return { id: "", file, source: "", outputs: "", error: (error as Error).message };
          }
        }),
      );
      if (options.json) return void process.stdout.write(`${JSON.stringify(rows, jsonSafe, 2)}\n`);
      if (rows.length === 0)
        return void process.stdout.write("no stream jobs (weir.config.ts `streams` lists their folders)\n");
      process.stdout.write(
        `${renderTable(
          ["job", "source", "outputs", "file"],
          rows.map((r) => [
            r.id || pc.red("invalid"),
            r.source,
            r.error ? pc.red(r.error) : r.outputs,
            r.file,
          ]),
        )}\n`,
      );
    });

  stream
    .command("run")
    .description("run a stream job until stopped (Ctrl-C), or until a replayed file ends")
    .argument("<job>", "job id or path")
    .option("--from-file <file>", "replay an NDJSON file instead of the job's source")
    .option("--rate <n>", "replay at most n events per second (with --from-file)")
    .option(
      "--warehouse-url <url>",
      "write window rows to this engine (postgres://…) instead of the DuckDB warehouse",
    )
    .option("--nats-url <url>", "NATS server (default WEIR_NATS_URL or nats://127.0.0.1:4222)")
    .option("--stop-when-idle <duration>", "end once no message arrived for this long (e.g. 5s)")
    .option("--max-partitions <n>", "take at most n partitions of a partitioned stream")
    .option("--lease-ttl <duration>", "partition lease time-to-live (default 10s)")
    .option("--json", "print the summary as JSON")
    .option("--quiet", "no progress line")
    .option("--events", "print every run event (partition start/stop, checkpoints) as a JSON line")
    .action(async (name: string, options: RunOptions) => {
      const { config } = await loadCliProject();
      const { job } = await findStreamJob(name, config.streams);
      // A stream job commits epochs to the warehouse for as long as it runs: it keeps the
      // DuckDB file open (another process waits, then WAREHOUSE_LOCKED); a PostgreSQL
      // warehouse is shared.
      const runtime = await openCliRuntime(config, { holdWarehouse: true });
      const parts = await openStreamParts(job, {
        runtime,
        ...(options.fromFile ? { fromFile: options.fromFile } : {}),
        ...(options.rate ? { rate: positive(options.rate, "--rate") } : {}),
        ...(options.warehouseUrl ? { warehouseUrl: options.warehouseUrl } : {}),
        ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
      });
      const replayed = options.fromFile ?? (job.source.type === "file" ? job.source.path : undefined);
      const nats = replayed === undefined ? natsTarget(job, options.natsUrl) : undefined;
      const lineage = runtime.lineage
        ? streamLineageListener(job, {
            emitter: runtime.lineage,
            source: nats ? { nats } : { file: replayed ?? "" },
            warehouse: parts.warehouse,
            lakeRoot: runtime.lake.root,
            logger: silentLogger,
          })
        : undefined;
      const interrupt = interruptSignal();
      const signal = interrupt.signal;
      const totals = new Map<string, StreamCounts>();
      const progress = progressLine(
        options.quiet || options.json || options.events ? false : process.stderr.isTTY === true,
      );
      const started = Date.now();
      try {
        const result = await runStreamJob(job, {
          source: parts.source,
          store: runtime.metadata.streams,
          sinks: parts.sinks,
          ...(options.stopWhenIdle
            ? { stopWhenIdleMs: parseDuration(options.stopWhenIdle, "--stop-when-idle") }
            : {}),
          ...(options.maxPartitions
            ? { maxPartitions: positive(options.maxPartitions, "--max-partitions") }
            : {}),
          ...(options.leaseTtl ? { leaseTtlMs: parseDuration(options.leaseTtl, "--lease-ttl") } : {}),
          signal,
          onEvent: (event) => {
            lineage?.(event);
            if (options.events) process.stdout.write(`${JSON.stringify(event)}\n`);
            if (event.type === "stream.checkpoint") totals.set(event.partition, event.counts);
            progress(event, totals);
          },
        });
        progress.done();
        const counts = sumCounts([...totals.values()]);
        const summary = {
          job: job.id,
          owner: result.owner,
          partitions: result.partitions,
          counts,
          seconds: (Date.now() - started) / 1000,
        };
        if (options.json) process.stdout.write(`${JSON.stringify(summary, jsonSafe, 2)}\n`);
        else process.stdout.write(renderSummary(job.id, counts, summary.seconds, signal.aborted));
      } finally {
        interrupt.dispose();
        progress.done();
        await parts.close();
        await runtime.close();
      }
    });

  registerStreamIngestCommand(stream);

  stream
    .command("status")
    .description("positions, watermark, lag, state size and counts of every stream partition")
    .argument("[job]", "only this job (id or path)")
    .option("--nats-url <url>", "NATS server for the lag (default WEIR_NATS_URL, else the job's)")
    .option("--json", "print JSON")
    .action(async (name: string | undefined, options: { json?: boolean; natsUrl?: string }) => {
      const { config } = await loadCliProject();
      // A job named by path is listed by its id; one whose file is gone still by the name given.
      const named =
        name === undefined ? undefined : await findStreamJob(name, config.streams).catch(() => undefined);
      const job = named?.id ?? name;
      if (!storeExists(config)) {
        if (options.json) return void process.stdout.write("[]\n");
        return void process.stdout.write("no stream has run yet (no weir home)\n");
      }
      const store = await openCliStore(config, { read: true });
      let rows: PartitionStatus[];
      try {
        rows = await store.streams.list(job);
      } finally {
        await store.close();
      }
      const lags = await lagsOf(rows, config.streams, options.natsUrl, named?.job);
      const now = Date.now();
      const out = rows.map((r, i) => {
        const mark = r.checkpoint?.watermark ?? null;
        // A replayed file that reached its end closes every window: the watermark is past all time.
        const inputEnded = mark !== null && mark >= END_OF_INPUT_WATERMARK;
        const watermark = mark === null || inputEnded ? null : mark;
        return {
          job: r.job,
          partition: r.partition,
          epoch: r.checkpoint?.epoch ?? 0,
          position: r.checkpoint?.position ?? r.startAfter ?? 0,
          watermark: watermark === null ? null : new Date(watermark).toISOString(),
          watermarkLagMs: watermark === null ? null : Math.max(0, now - watermark),
          /** True once a finite input (a replayed file) was read to its end: `watermark` is then null. */
          inputEnded,
          lag: lags[i] ?? null,
          stateBytes: r.checkpoint?.stateBytes ?? 0,
          openWindows: r.checkpoint?.openWindows ?? 0,
          counts: r.checkpoint?.counts ?? null,
          pendingEpoch: r.pending?.epoch ?? null,
          owner: r.owner ?? null,
          leaseExpiresAt: r.leaseExpiresAt ?? null,
          checkpointAt: r.checkpoint?.committedAt ?? null,
        };
      });
      if (options.json) return void process.stdout.write(`${JSON.stringify(out, jsonSafe, 2)}\n`);
      if (out.length === 0) {
        return void process.stdout.write(
          job === undefined ? "no stream has run yet\n" : `stream job ${job} has not run yet\n`,
        );
      }
      process.stdout.write(
        `${renderTable(
          [
            "job",
            "part",
            "epoch",
            "position",
            "lag",
            "watermark",
            "state",
            "in",
            "dead",
            "kept",
            "filtered",
            "late",
            "owner",
          ],
          out.map((r) => [
            r.job,
            r.partition,
            String(r.epoch),
            String(r.position),
            r.lag === null ? "?" : String(r.lag),
            r.inputEnded ? "end of input" : (r.watermark ?? "-"),
            `${r.openWindows} win / ${formatBytes(r.stateBytes)}`,
            String(r.counts?.in ?? 0),
            String(r.counts?.deadLettered ?? 0),
            String(r.counts?.kept ?? 0),
            String(r.counts?.filteredOut ?? 0),
            String(r.counts?.late ?? 0),
            r.owner && r.leaseExpiresAt && Date.parse(r.leaseExpiresAt) > now ? r.owner : "-",
          ]),
        )}\n`,
      );
    });

  stream
    .command("reset")
    .description("forget a job's positions and window state and start again from a point")
    .argument("<job>", "job id or path")
    .requiredOption("--to <where>", "earliest, latest, or an ISO timestamp")
    .option("--from-file <file>", "the job replays this file (positions are line numbers)")
    .option("--nats-url <url>", "NATS server")
    .action(async (name: string, options: { to: string; fromFile?: string; natsUrl?: string }) => {
      const { config } = await loadCliProject();
      const { job } = await findStreamJob(name, config.streams);
      const start = startPosition(options.to);
      const source = await openStreamSource(job, {
        ...(options.fromFile ? { fromFile: options.fromFile } : {}),
        ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
      });
      const store = await openCliStore(config);
      try {
        for (const partition of await source.partitions()) {
          const after = await source.positionBefore(partition, start);
          await store.streams.reset(job.id, partition, after);
          process.stdout.write(`${job.id}/${partition}: reads after position ${after}\n`);
        }
      } finally {
        await store.close();
        await source.close();
      }
    });
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${what} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function startPosition(text: string): StartPosition {
  if (text === "earliest" || text === "latest") return text;
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new ConfigError(`--to must be earliest, latest or an ISO timestamp, got ${JSON.stringify(text)}`);
  }
  return new Date(time);
}

export function sumCounts(all: readonly StreamCounts[]): StreamCounts {
  const total: StreamCounts = {
    in: 0,
    parsed: 0,
    deadLettered: 0,
    kept: 0,
    filteredOut: 0,
    late: 0,
    windowsEmitted: 0,
  };
  for (const c of all) for (const k of Object.keys(total) as (keyof StreamCounts)[]) total[k] += c[k];
  return total;
}

function renderSummary(job: string, c: StreamCounts, seconds: number, interrupted: boolean): string {
  const reconciled = c.in === c.parsed + c.deadLettered && c.parsed === c.kept + c.filteredOut + c.late;
  const rate = seconds > 0 ? Math.round(c.in / seconds) : 0;
  return [
    `${job}: ${interrupted ? "stopped" : "done"} in ${seconds.toFixed(1)} s (${rate.toLocaleString("en-US")} events/s)`,
    `  in ${c.in} = parsed ${c.parsed} + dead-lettered ${c.deadLettered}`,
    `  parsed ${c.parsed} = kept ${c.kept} + filtered out ${c.filteredOut} + late ${c.late}`,
    `  window rows written ${c.windowsEmitted}`,
    `  ${reconciled ? pc.green("✓ reconciled") : pc.red("✗ counts do not reconcile")}`,
    "",
  ].join("\n");
}

type Progress = ((event: StreamRunEvent, totals: Map<string, StreamCounts>) => void) & { done(): void };

function progressLine(tty: boolean): Progress {
  let shown = false;
  const fn = ((event: StreamRunEvent, totals: Map<string, StreamCounts>) => {
    if (!tty || event.type !== "stream.checkpoint") return;
    const c = sumCounts([...totals.values()]);
    const lag = event.watermarkLagMs === null ? "-" : `${Math.round(event.watermarkLagMs / 1000)} s`;
    process.stderr.write(
      `\r\x1b[2Kin ${c.in}  kept ${c.kept}  late ${c.late}  dead ${c.deadLettered}  epoch ${event.epoch}  watermark lag ${lag}`,
    );
    shown = true;
  }) as Progress;
  fn.done = () => {
    if (shown) process.stderr.write("\n");
    shown = false;
  };
  return fn;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Messages behind each partition's position, from the job's NATS stream when it can be
 * reached. Only a look: a stream that does not exist is not created (its lag stays
 * unknown), and a partition replayed from a file (`file`, positions are line numbers) has none.
 */
async function lagsOf(
  rows: readonly PartitionStatus[],
  locations: readonly string[],
  natsUrl: string | undefined,
  /** The job the command named, already loaded (it may live outside `locations`). */
  known: StreamJobDefinition | undefined,
): Promise<(number | undefined)[]> {
  const lags: (number | undefined)[] = rows.map(() => undefined);
  const byJob = new Map<string, number[]>();
  for (const [i, r] of rows.entries()) byJob.set(r.job, [...(byJob.get(r.job) ?? []), i]);
  for (const [jobId, indexes] of byJob) {
    try {
      const job = known?.id === jobId ? known : (await findStreamJob(jobId, locations)).job;
      if (job.source.type !== "nats") continue;
      const names = new Set(partitionNames(job.source.partitions));
      const wanted = indexes.filter((i) => names.has(rows[i]!.partition));
      if (wanted.length === 0) continue;
      const source = await openStreamSource(job, {
        createStream: false,
        ...(natsUrl ? { natsUrl } : {}),
      });
      try {
        for (const i of wanted) {
          const r = rows[i]!;
          lags[i] = await source
            .lag?.(r.partition, r.checkpoint?.position ?? r.startAfter ?? 0)
            .catch(() => undefined);
        }
      } finally {
        await source.close();
      }
    } catch {
      // Lag is a nicety: a job that cannot be loaded, a broker that is down or a stream that
      // does not exist (yet) leaves it "?".
    }
  }
  return lags;
}
