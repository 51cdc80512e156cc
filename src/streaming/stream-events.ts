import type { StreamCounts } from "./contracts.js";

/**
 * What a running stream job tells its subscribers (the CLI, later metrics and the UI): a
 * line per partition start and stop, and one per committed checkpoint with its counts,
 * watermark lag, state size and how long the commit took.
 */
export type StreamRunEvent =
  | { type: "stream.partition.started"; job: string; partition: string; fromPosition: number; epoch: number }
  | {
      type: "stream.checkpoint";
      job: string;
      partition: string;
      epoch: number;
      position: number;
      counts: StreamCounts;
      /** Epoch ms, or null before the first event. */
      watermark: number | null;
      /** Wall clock − watermark, ms (how far event time trails now); null before the first event. */
      watermarkLagMs: number | null;
      stateBytes: number;
      openWindows: number;
      /** Sinks + checkpoint commit, ms. */
      checkpointMs: number;
      eventsWritten: number;
      windowsWritten: number;
    }
  | {
      type: "stream.partition.stopped";
      job: string;
      partition: string;
      reason: "end" | "stopped" | "lease-lost" | "failed";
      error?: string;
    };

export type StreamEventListener = (event: StreamRunEvent) => void;
