import { connectJetStream, type JetStreamHandles } from "../sources/nats-connection.js";
import { ensureStream } from "../sources/nats-stream.js";

/**
 * A JetStream connection made when first needed and made again after it closes, with the
 * stream ensured on each connect. A server that starts while NATS is down still answers
 * (503: nothing stored) and recovers when NATS comes back, without a restart.
 */
export class OnDemandJetStream {
  private current: JetStreamHandles | undefined;
  private connecting: Promise<JetStreamHandles> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly stream: string,
    private readonly subject: string,
  ) {}

  get(): Promise<JetStreamHandles> {
    if (this.closed) return Promise.reject(new Error("the ingest server is closing"));
    if (this.current && !this.current.nc.isClosed()) return Promise.resolve(this.current);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const handles = this.current ?? (await this.connecting?.catch(() => undefined));
    this.current = undefined;
    if (handles && !handles.nc.isClosed()) await handles.nc.drain().catch(() => handles.nc.close());
  }

  private async connect(): Promise<JetStreamHandles> {
    const handles = await connectJetStream(this.url, "weir ingest");
    try {
      await ensureStream(handles.jsm, this.stream, this.subject);
    } catch (error) {
      await handles.nc.close().catch(() => {});
      throw error;
    }
    this.current = handles;
    return handles;
  }
}
