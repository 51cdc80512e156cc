import { messageOf, StreamError, WeirError } from "../../core/errors.js";
import type { EpochOutput } from "../contracts.js";

/**
 * STREAM_SINK_FAILED for a sink that could not commit an epoch, naming the sink, the job,
 * the partition and the epoch; the original error is the cause, and a retryable cause
 * (a lock held by another writer, a lost transaction race) keeps the epoch retryable.
 */
export function sinkFailed(sink: string, output: EpochOutput, cause: unknown): StreamError {
  if (cause instanceof StreamError && cause.code === "STREAM_SINK_FAILED") return cause;
  return new StreamError(
    "STREAM_SINK_FAILED",
    `sink ${sink} could not commit epoch ${output.epoch} of stream ${output.job} partition ${output.partition}: ${messageOf(cause)}`,
    {
      cause,
      retryable: cause instanceof WeirError ? cause.retryable : false,
      details: { sink, job: output.job, partition: output.partition, epoch: output.epoch },
    },
  );
}
