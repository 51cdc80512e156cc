import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../config/secret.js";
import type { LogEvent } from "../core/log.js";
import type { Notification } from "./notification.js";
import { Notifier } from "./notifier.js";
import { slackMessage, WebhookChannel } from "./webhook-channel.js";

interface Request {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const requests: Request[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  // A local HTTP server standing in for Slack: /ok answers "ok", /down answers 503.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (req.url?.startsWith("/late")) {
        // The secret path echoed just before the 200th character, where an error is cut.
        res
          .writeHead(400, { "content-type": "text/plain" })
          .end(`${"x".repeat(175)} unknown hook ${req.url}`);
      } else if (req.url?.startsWith("/down")) {
        res.writeHead(503, { "content-type": "text/plain" }).end(`service unavailable for ${req.url}`);
      } else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const retry: Notification = {
  kind: "retry",
  pipeline: "customers",
  runId: "run_1",
  logicalDate: "2024-01-15T00:00:00.000Z",
  taskId: "extract",
  attempt: 1,
  nextAttemptAt: "2024-01-16T02:05:00.000Z",
  error: "the API said 503 <busy> & slow",
  at: "2024-01-16T02:00:01.000Z",
};

describe("WebhookChannel against a local HTTP server", () => {
  it("posts a Slack-compatible JSON body to the secret URL", async () => {
    const url = new Secret("WEIR_TEST_SLACK_URL", `${base}/ok/services/T0/B0/abcd1234`);
    const before = requests.length;
    await new WebhookChannel({ name: "slack", url }).send(retry);
    const req = requests[before]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/ok/services/T0/B0/abcd1234");
    expect(req.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(req.body);
    expect(body).toEqual(slackMessage(retry));
    expect(body.text).toBe(":warning: [weir] customers will retry: task extract (2024-01-15)");
    expect(body.blocks[0]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: "*:warning: [weir] customers will retry: task extract (2024-01-15)*" },
    });
    expect(body.blocks[1].fields).toContainEqual({
      type: "mrkdwn",
      text: "*next attempt at*\n2024-01-16T02:05:00.000Z",
    });
    // Slack's mrkdwn needs &, < and > escaped.
    expect(body.blocks[1].fields).toContainEqual({
      type: "mrkdwn",
      text: "*error*\nthe API said 503 &lt;busy&gt; &amp; slow",
    });
  });

  it("fails with the status but never the URL, retryable for 5xx; the notifier logs and carries on", async () => {
    const url = new Secret("WEIR_TEST_SLACK_DOWN", `${base}/down/services/T9/B9/zyxw9876`);
    const channel = new WebhookChannel({ name: "slack", url });
    const error = await channel.send(retry).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOTIFICATION_FAILED", retryable: true, details: { status: 503 } });
    // The server echoed the path in its body: it is scrubbed too.
    expect((error as Error).message).toBe(
      'webhook channel "slack": the webhook answered HTTP 503: service unavailable for [redacted WEIR_TEST_SLACK_DOWN]',
    );
    expect((error as Error).message).not.toContain(base);

    const logs: LogEvent[] = [];
    const notifier = new Notifier([channel], { logger: { log: (e) => void logs.push(e) } });
    const results = await notifier.route(retry, { retry: ["slack"] });
    expect(results).toEqual([{ channel: "slack", ok: false, error: expect.stringContaining("HTTP 503") }]);
    expect(logs[0]!.message).toMatch(/^notification not delivered: webhook channel "slack"/);
    expect(JSON.stringify(logs)).not.toContain(base);
    expect(await notifier.route({ ...retry, kind: "success" }, { retry: ["slack"] })).toEqual([]);
  });

  it("scrubs an echoed secret before cutting the body, so no fragment of it is left", async () => {
    const url = new Secret("WEIR_TEST_SLACK_LATE", `${base}/late/services/T7/B7/late-secret-4455`);
    const error = await new WebhookChannel({ name: "slack", url }).send(retry).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOTIFICATION_FAILED", retryable: false, details: { status: 400 } });
    const message = (error as Error).message;
    expect(message).toContain(`${"x".repeat(175)} unknown hook [redacted`);
    expect(message).not.toContain("/late");
    expect(message).not.toContain("late-secret");
  });

  it("fails with a scrubbed reason when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = new Secret("WEIR_TEST_SLACK_GONE", `http://127.0.0.1:${port}/services/gone-5555`);
    const error = await new WebhookChannel({ name: "chat", url }).send(retry).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOTIFICATION_FAILED", retryable: true });
    expect((error as Error).message).toMatch(/^webhook channel "chat": the request failed: /);
    expect((error as Error).message).not.toContain("gone-5555");
  });
});
