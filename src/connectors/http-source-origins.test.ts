import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { ConnectorError } from "../core/errors.js";
import { HttpCredentials } from "./http-credentials.js";
import { HttpSource, type HttpSourceConfig } from "./http-source.js";

// Two real servers on different ports are two origins: `home` is the configured API,
// `away` is somewhere a Link header or a redirect points to.
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}
const seen = { home: [] as Seen[], away: [] as Seen[] };
let home: Server;
let away: Server;
let homeBase = "";
let awayBase = "";

const TOKEN = "tok-home-only-7731";
process.env.WEIR_TEST_ORIGIN_TOKEN = TOKEN;

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function handleHome(req: IncomingMessage, res: ServerResponse) {
  seen.home.push({ url: req.url ?? "", headers: req.headers });
  const url = new URL(req.url ?? "/", homeBase);
  const redirect = /^\/redirect\/(\d{3})$/.exec(url.pathname);
  if (redirect) {
    res.writeHead(Number(redirect[1]), { location: `${awayBase}/data` }).end("moved");
  } else if (/^\/redirect-home\/(\d{3})$/.test(url.pathname)) {
    res.writeHead(Number(url.pathname.slice(-3)), { location: "/data" }).end("moved");
  } else if (url.pathname === "/loop") {
    res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get("n") ?? 0) + 1}` }).end();
  } else if (url.pathname === "/link-away") {
    json(res, [{ id: 1 }], { link: `<${awayBase}/data>; rel="next"` });
  } else if (url.pathname === "/link-home") {
    json(res, [{ id: 1 }], { link: `</data>; rel="next"` });
  } else if (url.pathname === "/data") {
    json(res, [{ id: 2 }]);
  } else res.writeHead(404).end();
}

function handleAway(req: IncomingMessage, res: ServerResponse) {
  seen.away.push({ url: req.url ?? "", headers: req.headers });
  if (req.url === "/data") json(res, [{ id: 2 }]);
  else res.writeHead(404).end();
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  ({ server: home, base: homeBase } = await listen(handleHome));
  ({ server: away, base: awayBase } = await listen(handleAway));
});
afterAll(async () => {
  await Promise.all([home, away].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  delete process.env.WEIR_TEST_ORIGIN_TOKEN;
});
afterEach(() => {
  seen.home.length = 0;
  seen.away.length = 0;
});

const noReject = { reject: () => {} };
const AUTHS = {
  Authorization: { env: "WEIR_TEST_ORIGIN_TOKEN", scheme: "Bearer" },
  "X-Api-Key": { env: "WEIR_TEST_ORIGIN_TOKEN", header: "X-Api-Key" },
} as const;

function source(
  path: string,
  auth: (typeof AUTHS)[keyof typeof AUTHS],
  extra: Partial<HttpSourceConfig> = {},
) {
  return new HttpSource({
    url: `${homeBase}${path}`,
    // A credential-looking fixed header is treated as a credential; a plain one is not.
    headers: { "X-Client": "weir-test", "X-Auth-Token": "fixed-token-4242" },
    auth,
    pagination: { style: "cursor" },
    schema: { id: "integer" },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    ...extra,
  });
}

/** Every credential the source holds, as the header the server received. */
function credentialsIn(headers: IncomingHttpHeaders): string[] {
  return ["authorization", "x-api-key", "x-auth-token"].filter((h) => headers[h] !== undefined);
}

describe.each(Object.entries(AUTHS))("HttpSource credentials in %s", (header, auth) => {
  const sent = header.toLowerCase();
  const expected = header === "Authorization" ? `Bearer ${TOKEN}` : TOKEN;

  it("does not send them to another origin a Link: rel=next points to", async () => {
    const rows = await collectBatches(source("/link-away", auth).read(noReject));
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    expect(seen.home[0]!.headers[sent]).toBe(expected);
    expect(seen.away.map((r) => r.url)).toEqual(["/data"]);
    expect(credentialsIn(seen.away[0]!.headers)).toEqual([]);
    expect(seen.away[0]!.headers["x-client"]).toBe("weir-test");
  });

  it("sends them to a Link: rel=next on the same origin", async () => {
    await collectBatches(source("/link-home", auth).read(noReject));
    expect(seen.home.map((r) => [r.url, r.headers[sent]])).toEqual([
      ["/link-home", expected],
      ["/data", expected],
    ]);
  });

  it.each([301, 302, 303, 307, 308])(
    "does not send them across a %i redirect to another origin",
    async (status) => {
      const rows = await collectBatches(source(`/redirect/${status}`, auth).read(noReject));
      expect(rows.map((r) => r.id)).toEqual([2]);
      expect(seen.home[0]!.headers[sent]).toBe(expected);
      expect(seen.away).toHaveLength(1);
      expect(credentialsIn(seen.away[0]!.headers)).toEqual([]);
    },
  );

  it.each([301, 308])("keeps them across a %i redirect on the same origin", async (status) => {
    await collectBatches(source(`/redirect-home/${status}`, auth).read(noReject));
    expect(seen.home.map((r) => [r.url, r.headers[sent], r.headers["x-auth-token"]])).toEqual([
      [`/redirect-home/${status}`, expected, "fixed-token-4242"],
      ["/data", expected, "fixed-token-4242"],
    ]);
  });

  it("sends them to an allow-listed origin, on Link pages and redirects", async () => {
    const allowed = { auth: { ...auth, allowedOrigins: [awayBase] } };
    await collectBatches(source("/link-away", auth, allowed).read(noReject));
    await collectBatches(source("/redirect/307", auth, allowed).read(noReject));
    expect(seen.away).toHaveLength(2);
    for (const request of seen.away) {
      expect(request.headers[sent]).toBe(expected);
      expect(request.headers["x-auth-token"]).toBe("fixed-token-4242");
    }
  });
});

describe("HttpSource redirects", () => {
  it("stops after 10 redirects with an error naming the URL", async () => {
    const error = await collectBatches(source("/loop", AUTHS.Authorization).read(noReject)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe("CONNECTOR_HTTP_FAILED");
    expect((error as Error).message).toContain(`GET ${homeBase}/loop`);
    expect((error as Error).message).toContain("more than 10 redirects");
    expect(seen.home).toHaveLength(11);
  });

  it("rejects an allowed origin that is not an http(s) origin", () => {
    expect(() => source("/data", { ...AUTHS.Authorization, allowedOrigins: ["not a url"] } as never)).toThrow(
      /auth\.allowedOrigins/,
    );
  });
});

describe("HttpCredentials", () => {
  const credentials = new HttpCredentials({
    url: "https://api.example.com/v1/items",
    allowedOrigins: ["https://files.example.com", "http://plain.example.com/ignored/path"],
    headers: { "X-Client": "weir", "X-Api-Key": "k-fixed" },
    auth: { env: "T", header: "Authorization", scheme: "Bearer" },
    env: { T: "x-from-env" },
  });
  const url = (u: string) => new URL(u);
  const all = { "X-Client": "weir", "X-Api-Key": "k-fixed", Authorization: "Bearer x-from-env" };

  it("sends credentials to the configured origin and allow-listed origins only", () => {
    const apiPage = url("https://api.example.com/v1/items?page=2");
    expect(credentials.headersFor(apiPage, apiPage)).toEqual(all);
    expect(credentials.headersFor(apiPage, url("https://files.example.com/a"))).toEqual(all);
    // Another port, another scheme or another host is another origin.
    for (const other of [
      "https://api.example.com:8443/x",
      "http://api.example.com/x",
      "https://evil.example.com/",
    ])
      expect(credentials.headersFor(apiPage, url(other))).toEqual({ "X-Client": "weir" });
  });

  it("never sends credentials from https to http, even to an allow-listed origin", () => {
    const target = url("http://plain.example.com/data");
    expect(credentials.headersFor(url("https://api.example.com/v1/items"), target)).toEqual({
      "X-Client": "weir",
    });
    expect(credentials.headersFor(url("http://plain.example.com/start"), target)).toEqual(all);
  });
});
