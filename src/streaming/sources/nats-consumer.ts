import type { JetStreamManager } from "@nats-io/jetstream";
import { apiCode, natsFailure } from "./nats-errors.js";

/** JetStream's "consumer not found" API error code. */
const CONSUMER_NOT_FOUND = 10014;

export interface DurableConsumerSpec {
  stream: string;
  name: string;
  filterSubject: string;
  /** Deliver from the message after this stream sequence. */
  after: number;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs: number;
}

/**
 * (Re)creates a partition's durable pull consumer to deliver from `after + 1`.
 *
 * The consumer is deleted and created again rather than reused: a reused consumer
 * would first redeliver whatever it had delivered before the crash (in its own
 * redelivery order, mixed with new deliveries), and a consumer's start sequence cannot be
 * changed by an update. A fresh one delivers exactly the messages after the checkpoint in
 * stream order, the same ones in the same order on every replay.
 *
 * AckPolicy All: acknowledging a message acknowledges everything before it, so one ack per
 * checkpoint is enough. No ack-pending limit: the reader bounds its own prefetch, and
 * acks come only when a checkpoint commits, so a limit could only stall a long epoch.
 */
export async function recreateDurableConsumer(
  jsm: JetStreamManager,
  spec: DurableConsumerSpec,
): Promise<void> {
  const { AckPolicy, DeliverPolicy, ReplayPolicy } = await import("@nats-io/jetstream");
  const { stream, name, filterSubject, after, ackWaitMs } = spec;
  try {
    await jsm.consumers.delete(stream, name);
  } catch (error) {
    if (apiCode(error) !== CONSUMER_NOT_FOUND) {
      throw natsFailure(`cannot delete JetStream consumer ${stream}/${name}`, error, {
        stream,
        consumer: name,
      });
    }
  }
  try {
    await jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: filterSubject,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: ackWaitMs * 1_000_000,
      max_deliver: -1,
      max_ack_pending: -1,
    });
  } catch (error) {
    throw natsFailure(`cannot create JetStream consumer ${stream}/${name}`, error, {
      stream,
      consumer: name,
      filterSubject,
    });
  }
}
