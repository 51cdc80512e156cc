import type { ChannelConfig } from "../config/project-config.js";
import { secretFromEnv } from "../config/secret.js";
import { messageOf } from "../core/errors.js";
import { EmailChannel } from "./email-channel.js";
import type { Notification, NotificationChannel } from "./notification.js";
import { WebhookChannel } from "./webhook-channel.js";

export interface CreatedChannels {
  channels: NotificationChannel[];
  /** Channels that could not be built (a secret's variable is unset), one line each. */
  problems: string[];
}

/**
 * Builds the channels of a project config, reading their secrets from `env`. A channel
 * whose secret is missing is still returned — sending through it fails with the reason —
 * so one unset variable does not stop the scheduler; `problems` lists it at start-up.
 *
 * @example
 * const { channels, problems } = createChannels(config.channels);
 * const notifier = new Notifier(channels, { logger });
 */
export function createChannels(
  configs: Record<string, ChannelConfig>,
  env: NodeJS.ProcessEnv = process.env,
): CreatedChannels {
  const channels: NotificationChannel[] = [];
  const problems: string[] = [];
  for (const [name, config] of Object.entries(configs)) {
    try {
      channels.push(createChannel(name, config, env));
    } catch (error) {
      const reason = messageOf(error);
      problems.push(`notification channel "${name}": ${reason}`);
      channels.push(brokenChannel(name, config.type, reason));
    }
  }
  return { channels, problems };
}

function createChannel(name: string, config: ChannelConfig, env: NodeJS.ProcessEnv): NotificationChannel {
  const neededBy = `notification channel "${name}"`;
  switch (config.type) {
    case "email":
      return new EmailChannel({
        name,
        host: config.host,
        port: config.port,
        ...(config.secure === undefined ? {} : { secure: config.secure }),
        ...(config.requireTLS === undefined ? {} : { requireTLS: config.requireTLS }),
        ...(config.user ? { user: config.user } : {}),
        ...(config.password ? { password: secretFromEnv(config.password.env, { env, neededBy }) } : {}),
        from: config.from,
        to: config.to,
      });
    case "webhook":
      return new WebhookChannel({
        name,
        url: secretFromEnv(config.url.env, { env, neededBy }),
        ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout }),
      });
  }
}

function brokenChannel(name: string, type: string, reason: string): NotificationChannel {
  return {
    name,
    type,
    send: async (_n: Notification) => {
      throw new Error(reason);
    },
  };
}
