import type { MetadataStore } from "../src/metadata/metadata-store.js";
import type { MetricsRenderer } from "../src/server/server-options.js";
import { type RunningServer, startServer } from "../src/server/start-server.js";

export type { RunningServer };

/**
 * The real server over `store`: `startServer` on 127.0.0.1, port 0, with no API tokens
 * (local mode: every request is the local admin), no pipelines loaded and no scheduler
 * (the API reads the store alone, as a server beside a separate `weir scheduler` does).
 */
export function startBenchServer(store: MetadataStore, metrics?: MetricsRenderer): Promise<RunningServer> {
  return startServer({ store, host: "127.0.0.1", port: 0, ...(metrics ? { metrics } : {}) });
}
