import net from "node:net";

/**
 * A TCP proxy between one process and a server, for cutting that process off: `cut()`
 * resets every connection through it and refuses new ones (accepted, then reset at once,
 * as a server that restarts or a firewall that rejects does) until `restore()`.
 *
 * @example
 * const proxy = await TcpProxy.start("127.0.0.1", 5432);
 * const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
 * proxy.cut(); await sleep(10_000); proxy.restore();
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;
  /** Connections reset while cut off (live ones cut, new ones refused). */
  reset = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on("connection", (client) => this.accept(client));
  }

  static async start(host: string, port: number): Promise<TcpProxy> {
    const server = net.createServer();
    const proxy = new TcpProxy(server, { host, port });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `url` (postgres://…) with its host and port replaced by the proxy's. */
  urlThrough(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  /** Resets every open connection and refuses new ones until `restore()`. */
  cut(): void {
    this.refusing = true;
    for (const s of [...this.sockets]) {
      this.reset++;
      s.resetAndDestroy();
    }
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    for (const s of [...this.sockets]) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      this.reset++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
