import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogEvent } from "../core/log.js";
import { createChannels } from "./create-channels.js";
import type { Notification } from "./notification.js";
import { Notifier } from "./notifier.js";

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  data: string;
}

const PASSWORD = "smtp-pa55-Kx93!";
const received: Received[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  // A real SMTP server in this process: plain TCP (no STARTTLS), AUTH PLAIN/LOGIN required.
  server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "weir" && auth.password === PASSWORD)
        return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          data: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const failure: Notification = {
  kind: "failure",
  pipeline: "customers",
  runId: "run_abc",
  logicalDate: "2024-01-15T00:00:00.000Z",
  taskId: "load",
  attempt: 4,
  error: "connection refused",
  owner: "data-team",
  at: "2024-01-16T02:20:00.000Z",
};

function channelConfig(passwordVariable: string) {
  return {
    ops: {
      type: "email" as const,
      host: "127.0.0.1",
      port,
      user: "weir",
      password: { env: passwordVariable },
      from: "weir@example.test",
      to: ["oncall@example.test", "lead@example.test"],
    },
  };
}

describe("EmailChannel against a real SMTP server", () => {
  it("authenticates with the password from the environment and delivers the notification", async () => {
    const { channels, problems } = createChannels(channelConfig("WEIR_TEST_SMTP_PASSWORD"), {
      WEIR_TEST_SMTP_PASSWORD: PASSWORD,
    });
    expect(problems).toEqual([]);
    const notifier = new Notifier(channels);
    const before = received.length;
    expect(await notifier.notify(failure, ["ops"])).toEqual([{ channel: "ops", ok: true }]);
    await notifier.close();
    const mail = received[before]!;
    expect(mail.user).toBe("weir");
    expect(mail.from).toBe("weir@example.test");
    expect(mail.to).toEqual(["oncall@example.test", "lead@example.test"]);
    expect(mail.data).toMatch(/^Subject: \[weir\] customers failed: task load \(2024-01-15\)$/m);
    expect(mail.data).toContain("run: run_abc");
    expect(mail.data).toContain("attempt: 4");
    expect(mail.data).toContain("error: connection refused");
    expect(mail.data).toContain("owner: data-team");
    expect(mail.data).not.toContain(PASSWORD);
  });

  it("scrubs a secret quoted in the error before it is mailed", async () => {
    const { channels } = createChannels(
      {
        ...channelConfig("WEIR_TEST_SMTP_PASSWORD"),
        hook: { type: "webhook", url: { env: "WEIR_TEST_HOOK" } },
      },
      { WEIR_TEST_SMTP_PASSWORD: PASSWORD, WEIR_TEST_HOOK: "https://hooks.example.test/T1/B1/tok-zz81" },
    );
    const notifier = new Notifier(channels);
    const before = received.length;
    await notifier.notify({ ...failure, error: "POST https://hooks.example.test/T1/B1/tok-zz81 refused" }, [
      "ops",
    ]);
    await notifier.close();
    expect(received[before]!.data).toContain("error: POST [redacted WEIR_TEST_HOOK] refused");
    expect(received[before]!.data).not.toContain("tok-zz81");
  });

  it("reports a refused login as NOTIFICATION_FAILED without the password, and never throws", async () => {
    const wrong = "not-the-password-777";
    const { channels } = createChannels(channelConfig("WEIR_TEST_SMTP_WRONG"), {
      WEIR_TEST_SMTP_WRONG: wrong,
    });
    const logs: LogEvent[] = [];
    const notifier = new Notifier(channels, { logger: { log: (e) => void logs.push(e) } });
    const before = received.length;
    const [result] = await notifier.notify(failure, ["ops"]);
    await notifier.close();
    expect(received.length).toBe(before);
    expect(result).toMatchObject({ channel: "ops", ok: false });
    expect(result!.error).toMatch(/e-mail channel "ops" could not send via 127\.0\.0\.1:\d+: .*Invalid/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: "warn", fields: { channel: "ops", kind: "failure" } });
    expect(JSON.stringify([result, logs])).not.toContain(wrong);
  });

  it("keeps a channel whose secret variable is unset, failing only when used", async () => {
    const { channels, problems } = createChannels(channelConfig("WEIR_TEST_UNSET_VAR"), {});
    expect(problems).toEqual([
      'notification channel "ops": environment variable WEIR_TEST_UNSET_VAR is not set: notification channel "ops" needs a secret from it',
    ]);
    const [result] = await new Notifier(channels).notify(failure, ["ops"]);
    expect(result).toMatchObject({
      channel: "ops",
      ok: false,
      error: expect.stringContaining("WEIR_TEST_UNSET_VAR"),
    });
    const results = await new Notifier(channels).notify(failure, ["nope"]);
    expect(results[0]!.error).toBe('no notification channel named "nope" in the project config (known: ops)');
  });
});
