import type { Transporter } from "nodemailer";
import { redactSecrets, type Secret } from "../config/secret.js";
import { messageOf, WeirError } from "../core/errors.js";
import { formatNotification } from "./format-notification.js";
import type { Notification, NotificationChannel } from "./notification.js";

export interface EmailChannelOptions {
  name: string;
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465). Otherwise STARTTLS is used when offered. */
  secure?: boolean;
  /** Refuse to send unless the server upgrades to TLS (STARTTLS). */
  requireTLS?: boolean;
  user?: string;
  /** From the environment (`secretFromEnv`); never a literal in config. */
  password?: Secret;
  from: string;
  to: readonly string[];
  /** Connection and greeting timeout; default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends notifications as plain-text e-mail over SMTP with nodemailer. The password stays
 * a `Secret` until the transport is built; errors are scrubbed before they leave.
 *
 * @example
 * const mail = new EmailChannel({ name: "ops", host: "smtp.example.com", port: 587, user: "weir",
 *   password: secretFromEnv("SMTP_PASSWORD"), from: "weir@example.com", to: ["oncall@example.com"] });
 */
export class EmailChannel implements NotificationChannel {
  readonly type = "email";
  readonly name: string;
  private transport: Transporter | undefined;

  constructor(private readonly options: EmailChannelOptions) {
    this.name = options.name;
  }

  async send(notification: Notification): Promise<void> {
    const { title, lines } = formatNotification(notification);
    try {
      const transport = await this.transporter();
      await transport.sendMail({
        from: this.options.from,
        to: [...this.options.to],
        subject: title,
        text: `${lines.join("\n")}\n`,
      });
    } catch (cause) {
      const { host, port } = this.options;
      throw new WeirError(
        "NOTIFICATION_FAILED",
        `e-mail channel "${this.name}" could not send via ${host}:${port}: ${redactSecrets(messageOf(cause))}`,
        { retryable: true, details: { channel: this.name, host, port } },
      );
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }

  private async transporter(): Promise<Transporter> {
    if (this.transport) return this.transport;
    // Imported lazily: most runs never send mail.
    const nodemailer = await import("nodemailer");
    const o = this.options;
    const timeout = o.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure ?? false,
      requireTLS: o.requireTLS ?? false,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(o.user ? { auth: { user: o.user, pass: o.password?.reveal() ?? "" } } : {}),
    });
    return this.transport;
  }
}
