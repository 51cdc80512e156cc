import type { RunEvent } from "../openlineage/types.js";

/**
 * Where weir's OpenLineage events go: the configured transports and the metadata store
 * (which `weir lineage` queries). `emit` never throws into a run: a transport that fails
 * logs and drops (the HTTP transport buffers and retries first).
 */
export interface LineageEmitter {
  /** The namespace jobs are named in (config `lineage.namespace`, default `weir`). */
  readonly namespace: string;
  emit(event: RunEvent): Promise<void>;
  /** Waits (bounded) until buffered events are delivered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
