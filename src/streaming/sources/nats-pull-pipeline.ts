import { randomBytes } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { StreamError } from "../../core/errors.js";
import type { SourceMessage } from "../contracts.js";
import { parseAckReply } from "./nats-ack-reply.js";

/** Messages taken from the pipeline, with the ack subject of each (same index). */
export interface TakenMessages {
  messages: SourceMessage[];
  /**
   * Acknowledging one (AckPolicy All) acknowledges everything before it. Empty for a
   * message delivered by a consumer since replaced.
   */
  replies: string[];
}

export interface PullPipelineOptions {
  /** Messages buffered plus requested, at most: memory stays bounded whatever the reader's pace. */
  capacity: number;
  /** Messages asked for by one pull request. */
  batch: number;
  /** How long one pull request stays open at the server. */
  expiresMs: number;
}

/** Requests still counted this long after the last one should have expired are taken as lost. */
const LOST_REQUEST_GRACE_MS = 5_000;

/**
 * A prefetching reader of one durable pull consumer that hands out messages strictly in
 * stream order, each once.
 *
 * Why not the client's `fetch()`/`consume()`: several fetches in flight each get their own
 * inbox, and the server (2.9) spreads messages round-robin over waiting pull requests, so
 * messages arriving on different iterators can no longer be put back in order; `consume()`
 * pulls as fast as the server sends, so its buffer grows without bound while acks wait for
 * checkpoints. Here every pull request replies to one wildcard subscription (arrival order
 * on one connection is delivery order), and requests are issued only while buffered plus
 * requested messages stay under `capacity`.
 *
 * Lost deliveries (in flight when the connection dropped, or sent to an inbox no longer
 * listened to) show as a gap in the consumer's delivery sequence, which counts every
 * delivery, first or repeated; on a gap the pipeline stops
 * and says `broken`, and its owner recreates the consumer after `lastSeq` (the last message
 * buffered), so nothing is skipped and nothing reordered. A message at or before `lastSeq`
 * (a redelivery after the ack wait) is dropped.
 */
export class PullPipeline {
  private messages: SourceMessage[] = [];
  private replies: string[] = [];
  private head = 0;
  /** Messages asked for and neither delivered nor given up by the server. */
  private requested = 0;
  private lastPullAt = 0;
  private pulls = 0;
  private sub: Subscription | undefined;
  private inbox = "";
  private lastDeliverySeq = 0;
  private wake: (() => void) | undefined;
  /** The consumer lost deliveries: recreate it after `lastSeq`, then `start()` again. */
  broken = false;
  /** Why reading cannot go on (the consumer was deleted, the server refused the pull request). */
  failure: StreamError | undefined;

  constructor(
    private readonly nc: NatsConnection,
    /** `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` */
    private readonly nextSubject: string,
    /** The position of the last message buffered (or read before this pipeline). */
    public lastSeq: number,
    private readonly options: PullPipelineOptions,
  ) {}

  /** The consumer's delivery sequence of the last message received (deliveries seen, for lag). */
  get deliveriesReceived(): number {
    return this.lastDeliverySeq;
  }

  /** Messages buffered and not taken. */
  get size(): number {
    return this.messages.length - this.head;
  }

  /**
   * Subscribes a fresh inbox (messages for an older one are ignored) and sends the first
   * pull requests. Messages still buffered from before lose their ack subject: they belong
   * to the consumer that was replaced, and an ack for them would move the new consumer's
   * ack floor by the old one's delivery sequence.
   */
  start(): void {
    this.stopReceiving();
    this.replies.fill("", this.head);
    this.broken = false;
    this.lastDeliverySeq = 0;
    const inbox = `_INBOX.${randomBytes(12).toString("hex")}`;
    this.inbox = inbox;
    this.sub = this.nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (this.inbox !== inbox) return;
        if (!error) this.receive(msg);
        else
          this.fail(
            new StreamError("STREAM_SOURCE_FAILED", error.message, { cause: error, retryable: true }),
          );
      },
    });
    this.refill();
  }

  /** Stops receiving; what is buffered stays. */
  stopReceiving(): void {
    this.inbox = "";
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.requested = 0;
  }

  /** Up to `max` buffered messages, in order; then asks the server for more to fill the freed room. */
  take(max: number): TakenMessages {
    const end = Math.min(this.messages.length, this.head + max);
    const taken = {
      messages: this.messages.slice(this.head, end),
      replies: this.replies.slice(this.head, end),
    };
    this.head = end;
    if (this.head === this.messages.length) {
      this.messages = [];
      this.replies = [];
      this.head = 0;
    } else if (this.head > 65_536) {
      this.messages = this.messages.slice(this.head);
      this.replies = this.replies.slice(this.head);
      this.head = 0;
    }
    if (this.sub) this.refill();
    return taken;
  }

  /** Resolves when a message is buffered, the pipeline broke or failed, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.size > 0 || this.broken || this.failure) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          this.wake = undefined;
          resolve();
        },
        Math.max(0, ms),
      );
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * A delivered message carries its original subject, not the pull request's, so
   * deliveries are counted against all requests together; a status message (sent to the
   * request's own reply subject) says how many of its messages will not come.
   */
  private receive(msg: Msg): void {
    const reply = msg.reply;
    if (!reply) {
      this.status(msg);
      return;
    }
    if (this.requested > 0) this.requested--;
    const info = parseAckReply(reply);
    if (!info) return;
    // A gap in the delivery sequence, or a redelivery of a message never received: lost deliveries.
    const lost = info.deliverySeq !== this.lastDeliverySeq + 1;
    this.lastDeliverySeq = info.deliverySeq;
    if (!lost && info.streamSeq <= this.lastSeq) return; // a redelivery of a message already had
    if (lost || info.deliveryCount > 1) {
      this.breakOff();
      return;
    }
    this.lastSeq = info.streamSeq;
    this.messages.push({ data: msg.data, position: info.streamSeq });
    this.replies.push(reply);
    this.notify();
  }

  /** A status message ends a pull request (408 expired, 409 limits, 404 none) or tells of a failure. */
  private status(msg: Msg): void {
    const headers = msg.headers;
    const code = headers?.code ?? 0;
    if (code === 100) return; // idle heartbeat
    const left = Number(headers?.get("Nats-Pending-Messages") || this.options.batch);
    this.requested = Math.max(0, this.requested - left);
    const description = headers?.description ?? "";
    if (code === 409 && /consumer (is )?deleted/i.test(description)) {
      // The consumer is the partition's: deleted under a reader, it was recreated by a process
      // that took the partition over (this one's lease ran out before a renewal told it so),
      // or deleted by hand. Reported as a lost lease, the run stops this partition alone
      // (its others go on) and takes it again only while the lease is still its own.
      this.fail(
        new StreamError(
          "STREAM_LEASE_LOST",
          `JetStream ended the pull: ${code} ${description} (another process took the partition over, or the consumer was deleted)`,
          { retryable: true, details: { code, description } },
        ),
      );
      return;
    }
    if (code === 400) {
      this.fail(
        new StreamError("STREAM_SOURCE_FAILED", `JetStream ended the pull: ${code} ${description}`, {
          retryable: true,
          details: { code, description },
        }),
      );
      return;
    }
    this.refill();
  }

  /** Sends pull requests while buffered + requested + one more batch fits in the capacity. */
  private refill(): void {
    const { capacity, batch, expiresMs } = this.options;
    const now = Date.now();
    // Every request sent has ended by now, fulfilled or expired; a count left over was lost.
    if (now > this.lastPullAt + expiresMs + LOST_REQUEST_GRACE_MS) this.requested = 0;
    while (this.size + this.requested + batch <= capacity) {
      this.requested += batch;
      this.lastPullAt = now;
      const body = JSON.stringify({ batch, expires: expiresMs * 1_000_000 });
      this.nc.publish(this.nextSubject, body, { reply: `${this.inbox}.${++this.pulls}` });
    }
  }

  /** Stops and asks for the consumer to be recreated (the connection was lost: pull requests and deliveries with it). */
  breakOff(): void {
    this.stopReceiving();
    this.broken = true;
    this.notify();
  }

  private fail(error: StreamError): void {
    this.stopReceiving();
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    this.wake?.();
  }
}
