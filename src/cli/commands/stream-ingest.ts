import type { Command } from "commander";
import { ConfigError, StreamError } from "../../core/errors.js";
import { startIngestServer } from "../../streaming/ingest/http-ingest.js";
import { natsTarget } from "../../streaming/open-stream-parts.js";
import { findStreamJob } from "../../streaming/stream-job-registry.js";
import { loadCliProject } from "../cli-project.js";
import { interruptSignal } from "../interrupt-signal.js";

interface IngestOptions {
  port: string;
  host: string;
  natsUrl?: string;
  partitionKey?: string;
  json?: boolean;
}

/**
 * `weir stream ingest <job>`: an HTTP endpoint (`POST /ingest`, NDJSON) in front of the
 * job's NATS stream, until Ctrl-C. A 202 means JetStream stored every line; the job reads
 * them with `weir stream run <job>`.
 */
export function registerStreamIngestCommand(stream: Command): void {
  stream
    .command("ingest")
    .description("serve POST /ingest (NDJSON) into the job's NATS stream until Ctrl-C (202 = stored)")
    .argument("<job>", "job id or path (its source must be NATS)")
    .option("--port <n>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--nats-url <url>",
      "NATS server (default WEIR_NATS_URL, else the job's, else nats://127.0.0.1:4222)",
    )
    .option(
      "--partition-key <field>",
      "the JSON field that picks an event's partition (default: the job's first windows.groupBy column)",
    )
    .option("--json", "print the endpoint as one JSON line")
    .action(async (name: string, options: IngestOptions) => {
      const { config } = await loadCliProject();
      const { job } = await findStreamJob(name, config.streams);
      const target = natsTarget(job, options.natsUrl);
      if (!target) {
        throw new StreamError(
          "STREAM_JOB_INVALID",
          `stream job ${job.id} reads a file, not NATS: there is no stream to ingest into`,
          { details: { job: job.id } },
        );
      }
      const partitioned = (target.partitions ?? 0) > 0;
      const groupBy = job.windows?.groupBy ?? [];
      const partitionKey = partitioned ? (options.partitionKey ?? groupBy[0]) : undefined;
      if (
        partitioned &&
        partitionKey !== undefined &&
        groupBy.length > 0 &&
        !groupBy.includes(partitionKey)
      ) {
        // Each partition task keeps its own windows: one key's events split over partitions
        // give several rows for one window, and they overwrite each other in the table.
        process.stderr.write(
          `warning: --partition-key ${partitionKey} is not a windows.groupBy column (${groupBy.join(", ")}): one key's events may land in several partitions, whose window rows then overwrite each other\n`,
        );
      }
      const interrupt = interruptSignal();
      const server = await startIngestServer({
        port: port(options.port),
        host: options.host,
        natsUrl: target.url,
        stream: target.stream,
        subject: target.subject,
        ...(target.partitions ? { partitions: target.partitions } : {}),
        ...(partitionKey ? { partitionKey } : {}),
      }).catch((error: unknown) => {
        interrupt.dispose();
        throw error;
      });
      try {
        const endpoint = `${server.url}/ingest`;
        if (options.json) {
          const line = {
            job: job.id,
            url: endpoint,
            natsUrl: target.url,
            stream: target.stream,
            subject: target.subject,
            partitions: target.partitions ?? null,
            partitionKey: partitionKey ?? null,
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        } else {
          const routing = partitioned
            ? ` (${target.partitions} partitions${partitionKey ? ` by ${partitionKey}` : ", all to partition 0"})`
            : "";
          process.stdout.write(
            `${job.id}: POST NDJSON to ${endpoint}\n  → nats:${target.stream}/${target.subject}${routing} at ${target.url}\n  Ctrl-C to stop\n`,
          );
        }
        await new Promise<void>((resolve) => {
          if (interrupt.signal.aborted) return resolve();
          interrupt.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        if (!options.json) process.stdout.write(`${job.id}: stopping the ingest endpoint\n`);
      } finally {
        interrupt.dispose();
        await server.close();
      }
    });
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ConfigError(`--port must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return n;
}
