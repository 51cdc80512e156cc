import { randomBytes } from "node:crypto";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { messageOf, StreamError } from "../../core/errors.js";

/** One message to store in JetStream. */
export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  /** `Nats-Msg-Id`: JetStream stores a message id once within the stream's duplicate window. */
  msgId?: string;
}

/** What JetStream acknowledged for a batch. */
export interface BatchAcks {
  /** Lowest and highest stream sequence acknowledged (a duplicate reports its original's). */
  firstSeq: number;
  lastSeq: number;
  /** Messages JetStream already held (same `msgId`): acknowledged, not stored again. */
  duplicates: number;
}

export interface PublishBatchOptions {
  /** Fail when no acknowledgement arrives for this long (default 10 s). */
  timeoutMs?: number;
  /** Messages awaiting their acknowledgement at most (default 8192). */
  window?: number;
}

/**
 * Publishes every message to JetStream and resolves once each has its PubAck; rejects
 * (retryably) when any is refused, the stream is missing, or acks stop coming.
 *
 * This is what `js.publish` does per message, done for a batch: every message's reply
 * subject is `<inbox>.<index>` on one wildcard subscription, with one timer for the
 * batch. `js.publish` sets up a request (and a timer) per message and measured ~15k
 * messages/s here; this path ~170k.
 */
export async function publishBatch(
  nc: NatsConnection,
  messages: OutgoingMessage[],
  options: PublishBatchOptions = {},
): Promise<BatchAcks> {
  if (messages.length === 0) return { firstSeq: 0, lastSeq: 0, duplicates: 0 };
  const { headers } = await import("@nats-io/transport-node");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const window = Math.max(1, options.window ?? 8192);
  const inbox = `_INBOX.${randomBytes(12).toString("hex")}`;
  const acked = new Uint8Array(messages.length);
  const result: BatchAcks = { firstSeq: Number.POSITIVE_INFINITY, lastSeq: 0, duplicates: 0 };
  let ackCount = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (failure) return;
      if (error) failure = error;
      else {
        const index = Number(msg.subject.slice(inbox.length + 1));
        if (!(index >= 0 && index < messages.length) || acked[index]) return;
        const problem = pubAckProblem(msg, result);
        if (problem) failure = new Error(problem);
        else {
          acked[index] = 1;
          ackCount++;
        }
      }
      notify();
    },
  });

  /** Waits until `done()` or a failure; fails when `timeoutMs` pass without a new ack. */
  const until = async (done: () => boolean) => {
    while (!failure && !done()) {
      const before = ackCount;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!failure && !done() && ackCount === before) {
        failure = new Error(`no JetStream acknowledgement within ${timeoutMs} ms`);
      }
    }
  };

  try {
    for (let i = 0; i < messages.length && !failure; i++) {
      // Refill the window by halves: one wait per half window, not one per ack.
      if (i - ackCount >= window) await until(() => i - ackCount <= window / 2);
      if (failure) break;
      const message = messages[i]!;
      let hdrs: ReturnType<typeof headers> | undefined;
      if (message.msgId !== undefined) {
        hdrs = headers();
        hdrs.set("Nats-Msg-Id", message.msgId);
      }
      nc.publish(message.subject, message.data, {
        reply: `${inbox}.${i}`,
        ...(hdrs ? { headers: hdrs } : {}),
      });
    }
    await until(() => ackCount === messages.length);
  } catch (error) {
    failure ??= error as Error;
  } finally {
    sub.unsubscribe();
  }
  if (failure) {
    throw new StreamError(
      "STREAM_SOURCE_FAILED",
      `JetStream did not store the batch: ${messageOf(failure)}`,
      {
        cause: failure,
        retryable: true,
        details: { messages: messages.length, acknowledged: ackCount },
      },
    );
  }
  return result;
}

/** Reads a PubAck into `result`; returns why it is not one (an API error, no stream for the subject). */
function pubAckProblem(msg: Msg, result: BatchAcks): string | undefined {
  const code = msg.headers?.code ?? 0;
  if (code === 503) return "no JetStream stream listens on the subject";
  if (code >= 400) return `${code} ${msg.headers?.description ?? ""}`.trim();
  let ack: { seq?: unknown; duplicate?: unknown; error?: { description?: string; code?: number } };
  try {
    ack = msg.json();
  } catch {
    return "an acknowledgement that is not JSON";
  }
  if (ack.error) return `${ack.error.code ?? ""} ${ack.error.description ?? "refused"}`.trim();
  if (typeof ack.seq !== "number") return "an acknowledgement without a sequence";
  if (ack.seq < result.firstSeq) result.firstSeq = ack.seq;
  if (ack.seq > result.lastSeq) result.lastSeq = ack.seq;
  if (ack.duplicate === true) result.duplicates++;
  return undefined;
}
