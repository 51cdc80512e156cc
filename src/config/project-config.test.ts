import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProjectConfig, loadProjectConfig } from "./load-project-config.js";
import { resolveProjectConfig } from "./project-config.js";

const PROJECT_CONFIG = fileURLToPath(new URL("./project-config.ts", import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-config-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = "/srv/project";

describe("resolveProjectConfig", () => {
  it("fills defaults and makes paths absolute against the config's folder", () => {
    const config = resolveProjectConfig(
      { pipelines: ["pipelines", "/abs/other.pipeline.ts"] },
      { root, env: {} },
    );
    expect(config).toEqual({
      root,
      pipelines: ["/srv/project/pipelines", "/abs/other.pipeline.ts"],
      streams: ["/srv/project/streams"],
      home: "/srv/project/.weir",
      warehouseLockTimeoutMs: 30_000,
      channels: {},
      defaultRoutes: {},
      scheduler: {
        tick: 2_000,
        heartbeatTimeout: 60_000,
        reapInterval: 30_000,
        maxConcurrentRuns: 4,
        shutdownGrace: 30_000,
      },
      lineage: { disabled: false, namespace: "weir", transports: [{ type: "file" }] },
      executor: "local",
      distributed: { queueSchema: "weir_queue", pollMs: 1_000 },
    });
  });

  it("chooses the executor: the config's, WEIR_EXECUTOR winning; an unknown one is refused", () => {
    const configured = resolveProjectConfig(
      { executor: "distributed", distributed: { queueSchema: "jobs", poll: "250ms" } },
      { root, env: {} },
    );
    expect(configured).toMatchObject({
      executor: "distributed",
      distributed: { queueSchema: "jobs", pollMs: 250 },
    });
    expect(resolveProjectConfig({}, { root, env: { WEIR_EXECUTOR: "distributed" } }).executor).toBe(
      "distributed",
    );
    expect(() => resolveProjectConfig({}, { root, env: { WEIR_EXECUTOR: "remote" } })).toThrow(
      /invalid WEIR_EXECUTOR "remote": expected local or distributed/,
    );
    expect(() => resolveProjectConfig({ executor: "cluster" }, { root, env: {} })).toThrow(/executor/);
  });

  it("reads durations, channels and routes; WEIR_HOME and WEIR_METADATA_URL win over the file", () => {
    const config = resolveProjectConfig(
      {
        home: "state",
        metadata: "state/meta.db",
        scheduler: { tick: "500ms", heartbeatTimeout: "1m30s", maxConcurrentRuns: 2 },
        notifications: {
          channels: {
            mail: {
              type: "email",
              host: "smtp.example.com",
              from: "w@x.io",
              to: ["a@x.io"],
              password: { env: "PW" },
            },
            chat: { type: "webhook", url: { env: "HOOK" }, timeout: "5s" },
          },
          defaults: { failure: ["mail", "chat"] },
        },
      },
      { root, env: {} },
    );
    expect(config.home).toBe("/srv/project/state");
    expect(config.metadataUrl).toBe("/srv/project/state/meta.db");
    expect(config.scheduler).toMatchObject({ tick: 500, heartbeatTimeout: 90_000, maxConcurrentRuns: 2 });
    expect(config.channels.mail).toMatchObject({ type: "email", port: 587, password: { env: "PW" } });
    expect(config.channels.chat).toEqual({ type: "webhook", url: { env: "HOOK" }, timeout: 5_000 });
    expect(config.defaultRoutes).toEqual({ failure: ["mail", "chat"] });

    const env = { WEIR_HOME: "/tmp/h", WEIR_METADATA_URL: "postgres://u@db:5432/meta" };
    const overridden = resolveProjectConfig({ home: "state", metadata: "x.db" }, { root, env });
    expect(overridden.home).toBe("/tmp/h");
    expect(overridden.metadataUrl).toBe("postgres://u@db:5432/meta");
  });

  it("refuses a secret written into the file, a bad duration and an unknown key, listing each with its path", () => {
    const attempt = () =>
      resolveProjectConfig(
        {
          pipelinez: ["x"],
          scheduler: { tick: "5 parsecs" },
          notifications: {
            channels: { chat: { type: "webhook", url: "https://hooks.slack.com/services/T/B/x" } },
          },
        },
        { root, file: "/srv/project/weir.config.ts", env: {} },
      );
    expect(attempt).toThrow(/^invalid project config \/srv\/project\/weir\.config\.ts:\n/);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    expect(message).toContain('(config): Unrecognized key: "pipelinez"');
    expect(message).toMatch(
      /scheduler\.tick: invalid duration "5 parsecs" for duration: unknown unit "parsecs"/,
    );
    expect(message).toContain(
      'notifications.channels.chat.url: secrets never live in the config file: expected { env: "VARIABLE" }',
    );
    expect(message).not.toContain("hooks.slack.com");
    expect(() =>
      resolveProjectConfig({ notifications: { channels: { x: { type: "pager" } } } }, { root }),
    ).toThrow(/notifications\.channels\.x\.type/);
  });
});

describe("loadProjectConfig", () => {
  it("finds weir.config.ts in the folder or above it and loads it without a build step", async () => {
    mkdirSync(join(dir, "proj", "pipelines", "deep"), { recursive: true });
    writeFileSync(
      join(dir, "proj", "weir.config.ts"),
      `import { defineConfig } from ${JSON.stringify(PROJECT_CONFIG)};
       const pipelines: string[] = ["pipelines"];
       export default defineConfig({ pipelines, scheduler: { tick: "1s" } });`,
    );
    const deep = join(dir, "proj", "pipelines", "deep");
    expect(findProjectConfig(deep, {})).toBe(join(dir, "proj", "weir.config.ts"));
    const config = await loadProjectConfig(deep, {});
    expect(config.file).toBe(join(dir, "proj", "weir.config.ts"));
    expect(config.root).toBe(join(dir, "proj"));
    expect(config.pipelines).toEqual([join(dir, "proj", "pipelines")]);
    expect(config.scheduler.tick).toBe(1_000);
  });

  it("uses WEIR_CONFIG when set, and defaults when there is no config anywhere", async () => {
    writeFileSync(join(dir, "other.config.ts"), `export default { pipelines: ["elsewhere"] };`);
    const viaEnv = await loadProjectConfig(dir, { WEIR_CONFIG: "other.config.ts" });
    expect(viaEnv.pipelines).toEqual([join(dir, "elsewhere")]);
    expect(() => findProjectConfig(dir, { WEIR_CONFIG: "missing.ts" })).toThrow(
      /WEIR_CONFIG points at .*missing\.ts/,
    );
    const none = await loadProjectConfig("/", {});
    expect(none.file).toBeUndefined();
    expect(none.pipelines).toEqual([]);
    expect(none.home).toBe("/.weir");
  });

  it("names the file when it has no default export or does not load", async () => {
    mkdirSync(join(dir, "bad1"));
    writeFileSync(join(dir, "bad1", "weir.config.ts"), `export const pipelines = ["x"];`);
    await expect(loadProjectConfig(join(dir, "bad1"), {})).rejects.toThrow(
      /bad1\/weir\.config\.ts has no default export: expected `export default defineConfig/,
    );
    mkdirSync(join(dir, "bad2"));
    writeFileSync(join(dir, "bad2", "weir.config.ts"), `export default {`);
    await expect(loadProjectConfig(join(dir, "bad2"), {})).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/^cannot load the project config .*bad2\/weir\.config\.ts: /),
    });
  });
});

describe("loadProjectConfig outside an ES-module package", () => {
  let bare: string;
  beforeAll(() => {
    // Under the system temp folder: no package.json above it, so tsx compiles the .ts to CommonJS.
    bare = mkdtempSync(join(tmpdir(), "weir-config-cjs-"));
  });
  afterAll(() => rmSync(bare, { recursive: true, force: true }));

  it('loads `export default` whether the package.json is missing or lacks "type": "module"', async () => {
    const config = `import { defineConfig } from ${JSON.stringify(PROJECT_CONFIG)};
       export default defineConfig({ pipelines: ["pipelines"], scheduler: { tick: "3s" } });`;
    mkdirSync(join(bare, "none"));
    writeFileSync(join(bare, "none", "weir.config.ts"), config);
    const none = await loadProjectConfig(join(bare, "none"), {});
    expect(none.pipelines).toEqual([join(bare, "none", "pipelines")]);
    expect(none.scheduler.tick).toBe(3_000);
    mkdirSync(join(bare, "untyped"));
    writeFileSync(join(bare, "untyped", "package.json"), JSON.stringify({ name: "data" }));
    writeFileSync(join(bare, "untyped", "weir.config.ts"), config);
    expect((await loadProjectConfig(join(bare, "untyped"), {})).scheduler.tick).toBe(3_000);
    // A hand-written CommonJS config is its own default export.
    mkdirSync(join(bare, "plain"));
    writeFileSync(join(bare, "plain", "weir.config.js"), `module.exports = { pipelines: ["p"] };`);
    expect((await loadProjectConfig(join(bare, "plain"), {})).pipelines).toEqual([join(bare, "plain", "p")]);
  });

  it("says what to change when the file needs ES-module semantics (a top-level await)", async () => {
    mkdirSync(join(bare, "tla"));
    writeFileSync(join(bare, "tla", "package.json"), JSON.stringify({ name: "data" }));
    writeFileSync(
      join(bare, "tla", "weir.config.ts"),
      `const pipelines = await Promise.resolve(["p"]);\nexport default { pipelines };`,
    );
    const error = await loadProjectConfig(join(bare, "tla"), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "CONFIG_INVALID",
      details: { file: join(bare, "tla", "weir.config.ts") },
    });
    expect((error as Error).message).toContain(
      `${join(bare, "tla", "weir.config.ts")} is loaded as CommonJS because ${join(bare, "tla", "package.json")} does not say "type": "module": add "type": "module" to ${join(bare, "tla", "package.json")}, or rename the file to weir.config.mts`,
    );
  });
});
