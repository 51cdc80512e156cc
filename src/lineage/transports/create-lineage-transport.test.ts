import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleRunEvent } from "../../../test/support/lineage-events.js";
import { ConfigError } from "../../core/errors.js";
import { ConsoleTransport } from "./console-transport.js";
import { createLineageTransport } from "./create-lineage-transport.js";
import type { FileTransport } from "./file-transport.js";
import { HttpTransport } from "./http-transport.js";
import { lineageConfigSchema } from "./lineage-config.js";

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "weir-lineage-home-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("lineageConfigSchema", () => {
  it("defaults to the weir namespace and a file transport, also for an absent block", () => {
    const defaults = { namespace: "weir", transports: [{ type: "file" }], disabled: false };
    expect(lineageConfigSchema.parse(undefined)).toEqual(defaults);
    expect(lineageConfigSchema.parse({})).toEqual(defaults);
  });

  it("accepts each transport and refuses unknown keys, types and bad values", () => {
    const config = lineageConfigSchema.parse({
      namespace: "acme",
      transports: [
        { type: "file", dir: "lin" },
        {
          type: "http",
          url: "https://marquez:5000",
          apiKeyEnv: "MARQUEZ_KEY",
          timeoutMs: 1000,
          maxBuffer: 5,
          retries: 0,
        },
        { type: "console" },
      ],
    });
    expect(config.transports.map((t) => t.type)).toEqual(["file", "http", "console"]);
    const bad = [
      { transports: [{ type: "kafka" }] },
      { transports: [{ type: "http", url: "ftp://x" }] },
      { transports: [{ type: "http", url: "http://x", apiKey: "literal" }] },
      { transports: [{ type: "http", url: "http://x", maxBuffer: 0 }] },
      { transports: [{ type: "http", url: "http://x", apiKeyEnv: "not a name" }] },
      { namespace: "" },
      { sampling: 0.5 },
    ];
    for (const input of bad)
      expect(lineageConfigSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });
});

describe("createLineageTransport", () => {
  it("writes to <home>/lineage by default", async () => {
    const transport = createLineageTransport(undefined, { home, env: {} });
    expect(transport.transports).toHaveLength(1);
    expect((transport.transports[0] as FileTransport).dir).toBe(join(home, "lineage"));
    transport.emit(sampleRunEvent("START", { eventTime: "2024-03-01T00:00:00Z" }));
    expect(await transport.close()).toBe(true);
    expect(await readdir(join(home, "lineage"))).toEqual(["events-2024-03-01.ndjson"]);
  });

  it("builds each configured transport; a relative file dir is under the home", () => {
    const transport = createLineageTransport(
      {
        transports: [
          { type: "file", dir: "elsewhere" },
          { type: "http", url: "http://marquez:5000", apiKeyEnv: "MARQUEZ_KEY" },
          { type: "console" },
        ],
      },
      { home, env: { MARQUEZ_KEY: "k-123456" } },
    );
    const [file, http, console] = transport.transports;
    expect((file as FileTransport).dir).toBe(join(home, "elsewhere"));
    expect(http).toBeInstanceOf(HttpTransport);
    expect((http as HttpTransport).endpointUrl).toBe("http://marquez:5000/api/v1/lineage");
    expect(console).toBeInstanceOf(ConsoleTransport);
  });

  it("refuses an API key variable that is not set, naming it", () => {
    expect(() =>
      createLineageTransport(
        { transports: [{ type: "http", url: "http://m:5000", apiKeyEnv: "NOPE_KEY" }] },
        { home, env: {} },
      ),
    ).toThrow(/NOPE_KEY/);
    expect(() =>
      createLineageTransport({ transports: [{ type: "smoke" }] } as never, { home, env: {} }),
    ).toThrow(ConfigError);
  });

  it("adds the HTTP transport of OPENLINEAGE_URL / _ENDPOINT / _API_KEY, as the official clients read them", () => {
    const env = {
      OPENLINEAGE_URL: "http://lineage.internal:5000",
      OPENLINEAGE_ENDPOINT: "api/v2/events",
      OPENLINEAGE_API_KEY: "tok-abcdef",
    };
    const transport = createLineageTransport(undefined, { home, env });
    expect(transport.transports.map((t) => t.kind)).toEqual(["file", "http"]);
    expect((transport.transports[1] as HttpTransport).endpointUrl).toBe(
      "http://lineage.internal:5000/api/v2/events",
    );
    // Not twice when the config already sends there.
    const configured = createLineageTransport(
      { transports: [{ type: "http", url: "http://lineage.internal:5000", endpoint: "api/v2/events" }] },
      { home, env },
    );
    expect(configured.transports).toHaveLength(1);
  });

  it("emits nothing when disabled, by config or by OPENLINEAGE_DISABLED", () => {
    expect(createLineageTransport({ disabled: true }, { home, env: {} }).transports).toEqual([]);
    expect(
      createLineageTransport(undefined, {
        home,
        env: { OPENLINEAGE_DISABLED: "true", OPENLINEAGE_URL: "http://x" },
      }).transports,
    ).toEqual([]);
    expect(createLineageTransport({ transports: [] }, { home, env: {} }).transports).toEqual([]);
  });
});
