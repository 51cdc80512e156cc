import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { natsFailure } from "./nats-errors.js";

/** A NATS connection with its JetStream client and manager. */
export interface JetStreamHandles {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * Connects to NATS and JetStream. The client libraries are imported here, on first use,
 * so loading weir (the CLI, batch pipelines) never pays for them.
 */
export async function connectJetStream(url: string, name = "weir"): Promise<JetStreamHandles> {
  const [{ connect }, { jetstreamManager }] = await Promise.all([
    import("@nats-io/transport-node"),
    import("@nats-io/jetstream"),
  ]);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, name, timeout: 5_000 });
  } catch (error) {
    throw natsFailure(`cannot connect to NATS at ${url}`, error, { url });
  }
  try {
    const jsm = await jetstreamManager(nc);
    return { nc, js: jsm.jetstream(), jsm };
  } catch (error) {
    await nc.close().catch(() => {});
    throw natsFailure(`JetStream is not available at ${url}`, error, { url });
  }
}
