import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { PartitionReader, StartPosition, StreamSource } from "../contracts.js";
import { connectJetStream } from "./nats-connection.js";
import { consumerName, partitionNames, partitionSubject } from "./nats-names.js";
import { type NatsConnectionState, NatsPartitionReader } from "./nats-partition-reader.js";
import { positionBefore } from "./nats-positions.js";
import { ensureStream } from "./nats-stream.js";

export interface NatsSourceOptions {
  /** `nats://host:port` */
  url: string;
  /** The JetStream stream; created (file storage, `subject` and `subject.>`) when missing. */
  stream: string;
  subject: string;
  /** P > 0: partitions `"0"`…`"P-1"` read `<subject>.<p>`; else one partition `"0"` reads `<subject>`. */
  partitions?: number;
  /** The job id: partition p's durable consumer is `<durablePrefix>-<p>`. */
  durablePrefix: string;
  /** Messages a partition buffers plus has requested, at most (default 16384). */
  prefetch?: number;
  /**
   * How long a message may stay unacknowledged before JetStream redelivers it (default 10
   * min). Acks come with checkpoints; a redelivery is only skipped, so this just keeps a
   * slow checkpoint from costing a wave of redeliveries.
   */
  ackWaitMs?: number;
}

/** How long one pull request stays open at the server. */
const PULL_EXPIRES_MS = 10_000;

/**
 * A JetStream stream as a stream source: one partition per subject, each read by a
 * durable pull consumer the partition task owns.
 *
 * Replay is deterministic: `open` recreates the partition's consumer to deliver from just
 * after the checkpoint (or the start position, resolved to a sequence first), so a task
 * restarted after a crash reads the same messages in the same order, and positions are
 * stream sequences, the same on every read.
 */
export class NatsSource implements StreamSource {
  readonly description: string;
  private readonly connection: NatsConnectionState = { connected: true, closed: false };
  private readonly readers = new Set<NatsPartitionReader>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: NatsSourceOptions,
  ) {
    this.description = `nats:${options.stream}/${options.subject}`;
    this.watchConnection().catch(() => {
      // The status stream ends with the connection; nothing to report.
    });
  }

  /** Connects, and creates the stream when it is missing. */
  static async connect(options: NatsSourceOptions): Promise<NatsSource> {
    const { nc, jsm } = await connectJetStream(options.url, `weir ${options.durablePrefix}`);
    try {
      await ensureStream(jsm, options.stream, options.subject);
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
    return new NatsSource(nc, jsm, options);
  }

  async partitions(): Promise<string[]> {
    return partitionNames(this.options.partitions);
  }

  async open(partition: string, after: number | undefined, start: StartPosition): Promise<PartitionReader> {
    const filterSubject = this.subjectOf(partition);
    const from = after ?? (await this.positionBefore(partition, start));
    const prefetch = Math.max(16, this.options.prefetch ?? 16_384);
    const reader = await NatsPartitionReader.open(
      {
        nc: this.nc,
        jsm: this.jsm,
        connection: this.connection,
        stream: this.options.stream,
        partition,
        consumer: consumerName(this.options.durablePrefix, partition),
        filterSubject,
        ackWaitMs: this.options.ackWaitMs ?? 600_000,
        ackTimeoutMs: 10_000,
        pipeline: {
          capacity: prefetch,
          batch: Math.max(1, Math.floor(prefetch / 4)),
          expiresMs: PULL_EXPIRES_MS,
        },
        onClose: (closed) => this.readers.delete(closed),
      },
      from,
    );
    this.readers.add(reader);
    return reader;
  }

  positionBefore(partition: string, start: StartPosition): Promise<number> {
    return positionBefore(this.jsm, this.options.stream, this.subjectOf(partition), start);
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers].map((reader) => reader.close()));
    this.connection.closed = true;
    await this.nc.close();
  }

  private subjectOf(partition: string): string {
    return partitionSubject(this.options.subject, this.options.partitions, partition);
  }

  /**
   * Follows the connection: while it is down a reader that has nothing says so (an error
   * to retry) instead of reporting an idle partition; after a reconnect every reader
   * recreates its consumer, since pull requests and deliveries in flight were lost.
   */
  private async watchConnection(): Promise<void> {
    void this.nc.closed().then(() => {
      this.connection.closed = true;
      this.connection.connected = false;
    });
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.connection.connected = false;
      else if (status.type === "reconnect") {
        this.connection.connected = true;
        for (const reader of this.readers) reader.connectionRestored();
      }
    }
  }
}
