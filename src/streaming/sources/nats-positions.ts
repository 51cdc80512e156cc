import type { JetStreamManager } from "@nats-io/jetstream";
import type { StartPosition } from "../contracts.js";
import { natsFailure } from "./nats-errors.js";

/**
 * The stream sequence just before the first message of `subject` at or after `start`;
 * reading after it starts there.
 *
 * - `earliest`: one before the stream's first sequence (0 for a new stream).
 * - `latest`: the last message of the subject (or the stream's last sequence when the
 *   subject has none), so only messages published after now are read.
 * - a `Date`: JetStream 2.9 has no lookup by time for one subject (direct get by
 *   `start_time` came with 2.11), but a consumer created with `by_start_time` resolves the
 *   time to a sequence and reports the one before it as delivered; a short-lived
 *   ephemeral consumer is made for the question and deleted after.
 */
export async function positionBefore(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  start: StartPosition,
): Promise<number> {
  try {
    if (start === "earliest") {
      const info = await jsm.streams.info(stream);
      return Math.max(0, info.state.first_seq - 1);
    }
    if (start === "latest") {
      const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
      if (last) return last.seq;
      return (await jsm.streams.info(stream)).state.last_seq;
    }
    return await sequenceBeforeTime(jsm, stream, subject, start);
  } catch (error) {
    throw natsFailure(
      `cannot find the position before ${describeStart(start)} in ${stream}/${subject}`,
      error,
      {
        stream,
        subject,
      },
    );
  }
}

async function sequenceBeforeTime(jsm: JetStreamManager, stream: string, subject: string, time: Date) {
  const { AckPolicy, DeliverPolicy } = await import("@nats-io/jetstream");
  const info = await jsm.consumers.add(stream, {
    filter_subject: subject,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: time.toISOString(),
    inactive_threshold: 10_000_000_000,
  });
  await jsm.consumers.delete(stream, info.name).catch(() => {});
  return Math.max(0, info.delivered.stream_seq);
}

function describeStart(start: StartPosition): string {
  return start instanceof Date ? start.toISOString() : start;
}
