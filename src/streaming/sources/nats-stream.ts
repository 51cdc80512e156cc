import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import { apiCode, natsFailure } from "./nats-errors.js";

/** JetStream's "stream not found" API error code. */
export const STREAM_NOT_FOUND = 10059;

/**
 * Creates the JetStream stream when it is missing: file storage (events survive a server
 * restart, which replay after a crash relies on) over `subject` and `subject.>`, so the
 * unpartitioned subject and every partition subject `subject.<p>` land in it. An existing
 * stream is left as it is: its owner may have tuned retention or limits.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(stream);
  } catch (error) {
    if (apiCode(error) !== STREAM_NOT_FOUND)
      throw natsFailure(`cannot read JetStream stream ${stream}`, error);
  }
  const { StorageType } = await import("@nats-io/jetstream");
  try {
    return await jsm.streams.add({
      name: stream,
      subjects: [subject, `${subject}.>`],
      storage: StorageType.File,
    });
  } catch (error) {
    // Another process may have created it in between.
    try {
      return await jsm.streams.info(stream);
    } catch {
      throw natsFailure(`cannot create JetStream stream ${stream}`, error, { stream, subject });
    }
  }
}
