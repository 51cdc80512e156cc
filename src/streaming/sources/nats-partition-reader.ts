import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { StreamError } from "../../core/errors.js";
import type { PartitionReader, SourceMessage } from "../contracts.js";
import { recreateDurableConsumer } from "./nats-consumer.js";
import { natsFailure } from "./nats-errors.js";
import { PullPipeline, type PullPipelineOptions } from "./nats-pull-pipeline.js";

/** The connection's state as the source sees it, shared by its readers. */
export interface NatsConnectionState {
  connected: boolean;
  closed: boolean;
}

export interface NatsPartitionReaderOptions {
  nc: NatsConnection;
  jsm: JetStreamManager;
  connection: NatsConnectionState;
  stream: string;
  partition: string;
  /** The partition's durable consumer. */
  consumer: string;
  filterSubject: string;
  ackWaitMs: number;
  ackTimeoutMs: number;
  pipeline: PullPipelineOptions;
  /** Told when the reader closes (the source stops telling it about reconnects). */
  onClose?: (reader: NatsPartitionReader) => void;
}

/**
 * One partition of a NATS stream: its durable pull consumer, recreated at open to deliver
 * from just after the checkpoint, read through a `PullPipeline` (prefetching, in stream
 * order, each message once).
 *
 * Acks are batched by AckPolicy All: the reader keeps the ack subject of every message it
 * handed out since the last ack, and `ack(position)` acknowledges the last of them at or
 * before `position`, which covers all before it.
 */
export class NatsPartitionReader implements PartitionReader {
  readonly partition: string;
  private readonly pipeline: PullPipeline;
  private ackSeqs: number[] = [];
  private ackReplies: string[] = [];
  private ackHead = 0;
  /** Bumped when the handles are dropped, so an ack in flight does not move the new head. */
  private handlesVersion = 0;
  private acks: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: NatsPartitionReaderOptions,
    after: number,
  ) {
    this.partition = options.partition;
    const nextSubject = `${options.jsm.getOptions().apiPrefix ?? "$JS.API"}.CONSUMER.MSG.NEXT.${options.stream}.${options.consumer}`;
    this.pipeline = new PullPipeline(options.nc, nextSubject, after, options.pipeline);
  }

  /** Recreates the partition's consumer to deliver the messages after `after`, and starts pulling. */
  static async open(options: NatsPartitionReaderOptions, after: number): Promise<NatsPartitionReader> {
    const reader = new NatsPartitionReader(options, after);
    await reader.recreateConsumer(after);
    reader.pipeline.start();
    return reader;
  }

  async next(max: number, waitMs: number): Promise<SourceMessage[] | null> {
    if (this.closed) throw new StreamError("STREAM_SOURCE_FAILED", `partition ${this.partition} is closed`);
    const deadline = Date.now() + waitMs;
    while (this.pipeline.size === 0) {
      if (this.pipeline.failure) throw this.pipeline.failure;
      if (this.options.connection.closed) throw this.connectionLost();
      if (this.pipeline.broken) {
        await this.restart();
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await this.pipeline.wait(left);
    }
    const { messages, replies } = this.pipeline.take(max);
    if (messages.length === 0) {
      if (!this.options.connection.connected) throw this.connectionLost();
      return [];
    }
    for (let i = 0; i < messages.length; i++) {
      if (replies[i] === "") continue;
      this.ackSeqs.push(messages[i]!.position);
      this.ackReplies.push(replies[i]!);
    }
    return messages;
  }

  /** Acknowledges up to `position`; acks are sent one at a time, in order. */
  ack(position: number): Promise<void> {
    const run = this.acks.then(() => this.ackNow(position));
    this.acks = run.catch(() => {});
    return run;
  }

  /**
   * Messages after `position` not yet read: the consumer's pending count, plus what it
   * delivered that is still on the way, buffered here, or handed out past `position`.
   * The consumer's numbers are a snapshot from before the client's own are read; messages
   * received in between raise the buffered count and lower the "on the way" count alike.
   */
  async lag(position: number): Promise<number | undefined> {
    const { jsm, stream, consumer } = this.options;
    let info: Awaited<ReturnType<JetStreamManager["consumers"]["info"]>>;
    try {
      info = await jsm.consumers.info(stream, consumer);
    } catch (error) {
      throw natsFailure(`cannot read JetStream consumer ${stream}/${consumer}`, error);
    }
    const onTheWay = info.delivered.consumer_seq - this.pipeline.deliveriesReceived;
    const returnedAfter = this.ackSeqs.length - this.firstHandleAfter(position);
    return Math.max(0, info.num_pending + onTheWay + this.pipeline.size + returnedAfter);
  }

  /** The connection came back: pull requests and deliveries in flight were lost, so the consumer is recreated on the next read. */
  connectionRestored(): void {
    if (!this.closed) this.pipeline.breakOff();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pipeline.stopReceiving();
    this.options.onClose?.(this);
    await this.acks;
  }

  private async ackNow(position: number): Promise<void> {
    const index = this.firstHandleAfter(position) - 1;
    if (index < this.ackHead) return;
    const version = this.handlesVersion;
    try {
      await this.options.nc.request(this.ackReplies[index]!, "+ACK", { timeout: this.options.ackTimeoutMs });
    } catch (error) {
      throw natsFailure(
        `cannot acknowledge ${this.options.stream}/${this.options.consumer} up to ${position}`,
        error,
        {
          partition: this.partition,
          position,
        },
      );
    }
    if (version !== this.handlesVersion) return;
    this.ackHead = index + 1;
    if (this.ackHead > 4096 && this.ackHead * 2 > this.ackSeqs.length) {
      this.ackSeqs = this.ackSeqs.slice(this.ackHead);
      this.ackReplies = this.ackReplies.slice(this.ackHead);
      this.ackHead = 0;
    }
  }

  /** Index of the first kept handle with a position after `position` (binary search). */
  private firstHandleAfter(position: number): number {
    let lo = this.ackHead;
    let hi = this.ackSeqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ackSeqs[mid]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Deliveries were lost: a new consumer delivers again from after the last message buffered. */
  private async restart(): Promise<void> {
    await this.recreateConsumer(this.pipeline.lastSeq);
    this.ackSeqs = [];
    this.ackReplies = [];
    this.ackHead = 0;
    this.handlesVersion++;
    this.pipeline.start();
  }

  private recreateConsumer(after: number): Promise<void> {
    const { jsm, stream, consumer, filterSubject, ackWaitMs } = this.options;
    return recreateDurableConsumer(jsm, { stream, name: consumer, filterSubject, after, ackWaitMs });
  }

  private connectionLost(): StreamError {
    return new StreamError(
      "STREAM_SOURCE_FAILED",
      `lost the NATS connection while reading ${this.options.stream}`,
      {
        retryable: true,
        details: { stream: this.options.stream, partition: this.partition },
      },
    );
  }
}
