import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { StreamError } from "../../core/errors.js";
import type { PartitionReader, StartPosition, StreamSource } from "../contracts.js";
import { connectJetStream } from "./nats-connection.js";
import { apiCode, natsFailure } from "./nats-errors.js";
import { consumerName, partitionNames, partitionSubject } from "./nats-names.js";
import { type NatsConnectionState, NatsPartitionReader } from "./nats-partition-reader.js";
import { positionBefore } from "./nats-positions.js";
import { ensureStream, STREAM_NOT_FOUND } from "./nats-stream.js";

export interface NatsSourceOptions {
  /** `nats://host:port` */
  url: string;
  /** The JetStream stream; created (file storage, `subject` and `subject.>`) when missing, unless `create` is false. */
  stream: string;
  /**
   * Create the stream when it is missing (default true). False for a look that must not
   * change the broker (`weir stream status`): a missing stream then fails `connect` with
   * STREAM_SOURCE_FAILED (`details.missing` true).
   */
  create?: boolean;
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

  /** Connects, and creates the stream when it is missing (unless `create` is false). */
  static async connect(options: NatsSourceOptions): Promise<NatsSource> {
    const { nc, jsm } = await connectJetStream(options.url, `weir ${options.durablePrefix}`);
    try {
      if (options.create === false) await requireStream(jsm, options.stream);
      else await ensureStream(jsm, options.stream, options.subject);
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

  /**
   * Messages of `partition`'s subject after `position`: the pending count of a short-lived
   * ephemeral consumer (no acks, deleted right after) that starts just after it. The
   * partition's durable consumer is left alone: its running owner may be reading.
   */
  async lag(partition: string, position: number): Promise<number | undefined> {
    const { AckPolicy, DeliverPolicy } = await import("@nats-io/jetstream");
    const { stream } = this.options;
    const subject = this.subjectOf(partition);
    let info: Awaited<ReturnType<JetStreamManager["consumers"]["add"]>>;
    try {
      info = await this.jsm.consumers.add(stream, {
        filter_subject: subject,
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, Math.floor(position) + 1),
        inactive_threshold: 10_000_000_000,
      });
    } catch (error) {
      throw natsFailure(`cannot count the messages of ${stream}/${subject} after ${position}`, error, {
        stream,
        subject,
        position,
      });
    }
    await this.jsm.consumers.delete(stream, info.name).catch(() => {});
    return info.num_pending;
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

/** Fails (STREAM_SOURCE_FAILED, `details.missing`) when the stream does not exist; creates nothing. */
async function requireStream(jsm: JetStreamManager, stream: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (apiCode(error) === STREAM_NOT_FOUND) {
      throw new StreamError("STREAM_SOURCE_FAILED", `JetStream stream ${stream} does not exist`, {
        cause: error,
        details: { stream, missing: true },
      });
    }
    throw natsFailure(`cannot read JetStream stream ${stream}`, error, { stream });
  }
}
