import { redactedSnippet, redactSecrets, type Secret } from "../config/secret.js";
import { messageOf, WeirError } from "../core/errors.js";
import { formatNotification } from "./format-notification.js";
import type { Notification, NotificationChannel } from "./notification.js";

export interface WebhookChannelOptions {
  name: string;
  /** The webhook URL: its path is the credential (Slack incoming webhooks), so it is a Secret. */
  url: Secret;
  /** Request timeout; default 10 s. */
  timeoutMs?: number;
}

/** The JSON body Slack incoming webhooks (and Mattermost, Rocket.Chat, Discord's /slack) accept. */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

const EMOJI: Record<Notification["kind"], string> = {
  failure: ":red_circle:",
  retry: ":warning:",
  success: ":large_green_circle:",
  sla_miss: ":alarm_clock:",
};

/**
 * The Slack-compatible body for a notification: `text` (the fallback every client shows)
 * plus a header and a fields section in Block Kit.
 */
export function slackMessage(notification: Notification): SlackMessage {
  const { title, lines } = formatNotification(notification);
  const text = `${EMOJI[notification.kind]} ${title}`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${escapeMrkdwn(text)}*` } },
      {
        type: "section",
        fields: lines.map((line) => {
          const colon = line.indexOf(": ");
          return {
            type: "mrkdwn",
            text: `*${line.slice(0, colon)}*\n${escapeMrkdwn(line.slice(colon + 2))}`,
          };
        }),
      },
    ],
  };
}

/**
 * Posts notifications to a Slack-compatible incoming webhook. The URL is revealed only to
 * `fetch`; error messages name the channel and the HTTP status, never the URL.
 */
export class WebhookChannel implements NotificationChannel {
  readonly type = "webhook";
  readonly name: string;

  constructor(private readonly options: WebhookChannelOptions) {
    this.name = options.name;
  }

  async send(notification: Notification): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.options.url.reveal(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(slackMessage(notification)),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw this.failure(`the request failed: ${redactSecrets(messageOf(cause))}`, true);
    }
    if (!response.ok) {
      // Scrubbed before it is cut: a cut through the echoed URL would leave a fragment unscrubbed.
      const body = redactedSnippet(await response.text().catch(() => ""), 200);
      throw this.failure(
        `the webhook answered HTTP ${response.status}${body ? `: ${body}` : ""}`,
        response.status === 429 || response.status >= 500,
        response.status,
      );
    }
    await response.body?.cancel();
  }

  private failure(reason: string, retryable: boolean, status?: number): WeirError {
    return new WeirError("NOTIFICATION_FAILED", `webhook channel "${this.name}": ${reason}`, {
      retryable,
      details: { channel: this.name, ...(status === undefined ? {} : { status }) },
    });
  }
}

function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
