import type pg from "pg";
import { ATTEMPT_DONE_CHANNEL } from "./queue-job.js";

/**
 * One LISTEN connection per executor process: workers NOTIFY when they have stored an
 * outcome, so the executor learns of it in milliseconds instead of at its next poll. The
 * poll stays as the safety net (a lost connection, a notification missed meanwhile).
 */
export class AttemptDoneListener {
  private client: pg.Client | undefined;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly onDone: (key: string) => void,
  ) {}

  static async open(connectionString: string, onDone: (key: string) => void): Promise<AttemptDoneListener> {
    const listener = new AttemptDoneListener(connectionString, onDone);
    await listener.connect();
    return listener;
  }

  /** (Re)connects; a failure is left to the next call (the poll covers meanwhile). */
  async connect(): Promise<void> {
    if (this.client || this.closed) return;
    const pgModule = (await import("pg")).default;
    const client = new pgModule.Client({ connectionString: this.connectionString });
    client.on("error", () => {
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
    });
    client.on("notification", (message) => {
      if (message.channel === ATTEMPT_DONE_CHANNEL && message.payload) this.onDone(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ATTEMPT_DONE_CHANNEL}`);
      this.client = client;
    } catch {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
