import type { StreamDetail } from "../api/types.js";

export interface StreamSample {
  at: number;
  /** Sum of the partitions' positions (stream sequence or line number). */
  position: number;
  lagMs?: number;
  eventsPerSecond?: number;
}

/** How many samples the page keeps (at one per few seconds: several minutes). */
const KEEP = 120;

/**
 * Adds a sample of the job: throughput is the server's, or else the growth of the summed
 * positions since the previous sample.
 */
export function addSample(
  samples: readonly StreamSample[],
  detail: StreamDetail,
  at: number,
): StreamSample[] {
  const position = detail.partitions.reduce((sum, partition) => sum + (Number(partition.offset) || 0), 0);
  const previous = samples.at(-1);
  const derived =
    previous && at > previous.at
      ? Math.max(0, ((position - previous.position) * 1000) / (at - previous.at))
      : undefined;
  const sample: StreamSample = {
    at,
    position,
    lagMs: detail.lagMs,
    eventsPerSecond: detail.eventsPerSecond ?? derived,
  };
  return [...samples, sample].slice(-KEEP);
}
