import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactSecrets } from "../config/secret.js";
import { collectBatches } from "../core/batch.js";
import { ConnectorError } from "../core/errors.js";
import { HttpSource } from "./http-source.js";

// A server that echoes back the credential it receives, as some APIs do in their errors.
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const sent = req.headers.authorization ?? String(req.headers["x-api-key"] ?? "");
    const padding = "x".repeat(Number(new URL(req.url ?? "/", base).searchParams.get("pad") ?? 0));
    if (req.url?.startsWith("/not-json")) {
      res.writeHead(200, { "content-type": "text/html" }).end(`<p>${padding} hello ${sent}</p>`);
    } else {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "invalid credential", padding, received: sent }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const noReject = { reject: () => {} };
const once = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

async function failure(source: HttpSource): Promise<ConnectorError> {
  const error = await collectBatches(source.read(noReject)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

/** The error as the CLI and the metadata store would see it: message and details. */
const shown = (error: ConnectorError) => `${error.message} ${JSON.stringify(error.details)}`;

describe("HttpSource credentials echoed by the server", () => {
  it("registers the credential as a secret when the source is built, before any request", () => {
    process.env.WEIR_TEST_SECRET_AT_BUILD = "tok-at-build-5150";
    new HttpSource({
      url: `${base}/x`,
      auth: { env: "WEIR_TEST_SECRET_AT_BUILD" },
      schema: { id: "integer" },
    });
    expect(redactSecrets("sent tok-at-build-5150")).toBe("sent [redacted WEIR_TEST_SECRET_AT_BUILD]");
  });

  it("scrubs a 401 body echoing the bearer token, even where the body is cut", async () => {
    const token = "tok-echo-unit-8d7c6b5a4f3e2d1c";
    process.env.WEIR_TEST_SECRET_401 = token;
    // The token starts around the 182nd character of the body, where it is cut at 200.
    for (const pad of [0, 120]) {
      const source = new HttpSource({
        url: `${base}/items?pad=${pad}`,
        auth: { env: "WEIR_TEST_SECRET_401", scheme: "Bearer" },
        schema: { id: "integer" },
        retry: once,
      });
      const error = await failure(source);
      expect(error.code).toBe("CONNECTOR_HTTP_FAILED");
      expect(error.message).toContain("HTTP 401");
      expect(error.message).toContain('"received":"Bearer [redacted');
      for (const fragment of [token, token.slice(0, 12), token.slice(-12)])
        expect(shown(error)).not.toContain(fragment);
    }
  });

  it("scrubs the JSON-escaped form of a credential holding a quote and a backslash", async () => {
    const token = 'k"ey\\with-quote-6612';
    process.env.WEIR_TEST_SECRET_QUOTE = token;
    const source = new HttpSource({
      url: `${base}/items`,
      auth: { env: "WEIR_TEST_SECRET_QUOTE", header: "X-Api-Key" },
      schema: { id: "integer" },
      retry: once,
    });
    const error = await failure(source);
    expect(error.message).toContain('"received":"[redacted WEIR_TEST_SECRET_QUOTE]"');
    expect(shown(error)).not.toContain("with-quote-6612");
  });

  it("scrubs a non-JSON body quoted in the error's details", async () => {
    process.env.WEIR_TEST_SECRET_HTML = "tok-html-echo-3141";
    const source = new HttpSource({
      url: `${base}/not-json?pad=180`,
      auth: { env: "WEIR_TEST_SECRET_HTML" },
      schema: { id: "integer" },
      retry: once,
    });
    const error = await failure(source);
    expect(error.message).toContain("not JSON");
    expect(String(error.details.body)).toContain("hello [redacted");
    expect(shown(error)).not.toContain("tok-html");
  });
});
