import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { assertSafeBind, SqlTokenStore } from "./auth/index.js";
import { createServerApp } from "./create-server-app.js";
import type { ServerAppOptions } from "./server-options.js";

export interface StartServerOptions extends Omit<ServerAppOptions, "listenHost" | "signal"> {
  /** Default 127.0.0.1. A non-loopback host needs an API token (SERVER_UNSAFE_BIND). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  host: string;
  port: number;
  /** Ends SSE streams, stops accepting connections and waits for open ones to finish. */
  close(): Promise<void>;
}

/**
 * Listens with `@hono/node-server`. Refuses a non-loopback host while no API token exists
 * (anyone on the network would be admin). `close()` ends event streams first, so it does
 * not wait on clients that never hang up.
 *
 * @example
 * const server = await startServer({ store, pipelines, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  await assertSafeBind(host, new SqlTokenStore(options.store));
  const closing = new AbortController();
  const app = createServerApp({ ...options, listenHost: host, signal: closing.signal });
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolveListen, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080 }, (info) =>
        resolveListen({ server: s, address: info }),
      );
      s.once("error", reject);
    },
  );
  const port = address.port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    close: async () => {
      closing.abort();
      await new Promise<void>((done) => {
        server.close(() => done());
        // Keep-alive connections idle in a browser would hold close() open.
        (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
    },
  };
}
