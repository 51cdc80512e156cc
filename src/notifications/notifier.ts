import { redactSecrets } from "../config/secret.js";
import { messageOf } from "../core/errors.js";
import { type Logger, silentLogger, warn } from "../core/log.js";
import type { Notification, NotificationChannel, NotificationKind } from "./notification.js";

/** Which channels (by name) hear about which kind of notification. */
export type NotificationRoutes = Partial<Record<NotificationKind, readonly string[]>>;

export interface DeliveryResult {
  channel: string;
  ok: boolean;
  /** Why delivery failed, scrubbed of secrets. */
  error?: string;
}

/**
 * Sends notifications to named channels. Never throws: a failed delivery is logged (a
 * warning, scrubbed of secrets) and reported in the result, because a broken mail server
 * must not fail or stall the run it reports on. Channels are sent to concurrently.
 *
 * @example
 * const notifier = new Notifier([new WebhookChannel({ name: "slack", url })], { logger });
 * await notifier.notify(notification, ["slack"]);
 */
export class Notifier {
  private readonly channels: Map<string, NotificationChannel>;
  private readonly logger: Logger;

  constructor(channels: Iterable<NotificationChannel>, options: { logger?: Logger } = {}) {
    this.channels = new Map([...channels].map((c) => [c.name, c]));
    this.logger = options.logger ?? silentLogger;
  }

  /** The channel names configured. */
  names(): string[] {
    return [...this.channels.keys()];
  }

  /** Names in `names` that no configured channel has (for `weir pipelines validate`). */
  unknown(names: Iterable<string>): string[] {
    return [...new Set(names)].filter((n) => !this.channels.has(n));
  }

  /** Sends `notification` to the routes' channels for its kind. */
  async route(notification: Notification, routes: NotificationRoutes | undefined): Promise<DeliveryResult[]> {
    const names = routes?.[notification.kind] ?? [];
    return names.length === 0 ? [] : this.notify(notification, names);
  }

  /** Sends `notification` to each named channel; unknown names are reported, not thrown. */
  async notify(notification: Notification, names: readonly string[]): Promise<DeliveryResult[]> {
    return Promise.all(
      [...new Set(names)].map(async (name): Promise<DeliveryResult> => {
        const channel = this.channels.get(name);
        if (!channel) {
          const error = `no notification channel named "${name}" in the project config (known: ${this.names().join(", ") || "none"})`;
          warn(this.logger, error, { channel: name, kind: notification.kind });
          return { channel: name, ok: false, error };
        }
        try {
          await channel.send(notification);
          return { channel: name, ok: true };
        } catch (cause) {
          const error = redactSecrets(messageOf(cause));
          warn(this.logger, `notification not delivered: ${error}`, {
            channel: name,
            kind: notification.kind,
            pipeline: notification.pipeline,
            runId: notification.runId,
          });
          return { channel: name, ok: false, error };
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.channels.values()].map((c) => c.close?.()));
  }
}
