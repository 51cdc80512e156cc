import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format, inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { LogEvent } from "../core/log.js";
import { SqliteMetadataStore } from "../metadata/sqlite-metadata-store.js";
import { redactingLogger, redactingStore } from "./redacting-store.js";
import { redactDeep, redactedSnippet, redactSecrets, Secret, secretFromEnv } from "./secret.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("Secret", () => {
  it("never prints its value, whichever way it is turned into text", () => {
    const secret = new Secret("SMTP_PASSWORD", "hunter2-correct-horse");
    const shown = [
      String(secret),
      `${secret}`,
      JSON.stringify({ password: secret }),
      inspect(secret),
      inspect({ nested: { secret } }),
      format("%s %o %j", secret, secret, { secret }),
    ];
    for (const text of shown) expect(text).not.toContain("hunter2");
    expect(String(secret)).toBe("[secret SMTP_PASSWORD]");
    expect(JSON.stringify({ password: secret })).toBe('{"password":"[secret SMTP_PASSWORD]"}');
    expect(secret.reveal()).toBe("hunter2-correct-horse");
  });

  it("reads from the environment and names a missing variable (never a value)", () => {
    const secret = secretFromEnv("WEIR_TEST_TOKEN", { env: { WEIR_TEST_TOKEN: "tok-123456" } });
    expect(secret.reveal()).toBe("tok-123456");
    expect(() => secretFromEnv("WEIR_NOPE", { env: {}, neededBy: 'notification channel "slack"' })).toThrow(
      'environment variable WEIR_NOPE is not set: notification channel "slack" needs a secret from it',
    );
    expect(() => secretFromEnv("WEIR_EMPTY", { env: { WEIR_EMPTY: "" } })).toThrow(/WEIR_EMPTY is not set/);
  });

  it("scrubs registered values from text, URL-encoded too, and from nested data", () => {
    new Secret("HOOK", "https://hooks.example.test/services/T0/B0/s3cr3t?x=1");
    const text = "POST https://hooks.example.test/services/T0/B0/s3cr3t?x=1 failed: ECONNREFUSED";
    expect(redactSecrets(text)).toBe("POST [redacted HOOK] failed: ECONNREFUSED");
    const encoded = encodeURIComponent("https://hooks.example.test/services/T0/B0/s3cr3t?x=1");
    expect(redactSecrets(`url=${encoded}`)).toBe("url=[redacted HOOK]");
    // The path of a URL is its credential for webhooks; servers echo it without the host.
    expect(redactSecrets("404 for /services/T0/B0/s3cr3t?x=1")).toBe("404 for [redacted HOOK]");

    const date = new Date("2024-01-01T00:00:00Z");
    const data = { a: [text, 1, { b: text }], when: date, ok: "fine" };
    const out = redactDeep(data);
    expect(out).toEqual({
      a: ["POST [redacted HOOK] failed: ECONNREFUSED", 1, { b: "POST [redacted HOOK] failed: ECONNREFUSED" }],
      when: date,
      ok: "fine",
    });
    expect(out.when).toBe(date);
    expect(data.a[0]).toBe(text); // the input is not mutated
    const clean = { x: ["nothing here"] };
    expect(redactDeep(clean)).toBe(clean); // nothing to scrub: the same object back
  });

  it('scrubs the JSON-escaped form of a secret holding " and \\', () => {
    const value = 'pa"ss\\word-7Qx';
    new Secret("QUOTED", value);
    // A server quoting the value in a JSON error body escapes the quote and the backslash.
    const body = JSON.stringify({ error: `bad password ${value}` });
    expect(body).not.toContain(value);
    expect(redactSecrets(body)).toBe('{"error":"bad password [redacted QUOTED]"}');
    expect(redactSecrets(`raw ${value}`)).toBe("raw [redacted QUOTED]");
    // Form-encoded, as in a query string built with URLSearchParams.
    new Secret("SPACED", "two words&more");
    expect(redactSecrets("q=two+words%26more")).toBe("q=[redacted SPACED]");
  });

  it("scrubs before it cuts, so a secret across the cut leaves no fragment", () => {
    new Secret("NEAR_CUT", "tok-cut-1234567890abcdef");
    const body = `${"x".repeat(190)} tok-cut-1234567890abcdef and more`;
    const snippet = redactedSnippet(body, 200);
    expect(snippet).not.toContain("tok-cut");
    expect(snippet).toBe(`${"x".repeat(190)} [redacted…`);
    expect(redactedSnippet("short", 200)).toBe("short");
  });

  it("shares one registry between copies of the module (a pipeline loaded with tsx has its own)", async () => {
    const second = "./secret.js?copy"; // a query string makes the loader evaluate the module again
    const copy = (await import(/* @vite-ignore */ second)) as typeof import("./secret.js");
    expect(copy.redactSecrets).not.toBe(redactSecrets); // really another instance of the module
    copy.registerSecretValue("FROM_COPY", "copy-secret-31337");
    expect(redactSecrets("got copy-secret-31337")).toBe("got [redacted FROM_COPY]");
  });

  it("does not scrub values so short that scrubbing would destroy logs", () => {
    new Secret("PIN", "123");
    expect(redactSecrets("rows: 123")).toBe("rows: 123");
  });
});

describe("redactingLogger and redactingStore", () => {
  it("scrubs log messages and fields", () => {
    new Secret("API_KEY", "key-abcdef-98765");
    const seen: LogEvent[] = [];
    const logger = redactingLogger({ log: (e) => void seen.push(e) });
    logger.log({
      level: "warn",
      message: "calling with key-abcdef-98765",
      fields: { header: "Bearer key-abcdef-98765" },
    });
    expect(seen).toEqual([
      {
        level: "warn",
        message: "calling with [redacted API_KEY]",
        fields: { header: "Bearer [redacted API_KEY]" },
      },
    ]);
  });

  it("keeps secrets out of the metadata store's file, whatever method writes them", async () => {
    const secret = new Secret("DB_PASSWORD", "pg-pass-Zq81xv");
    const dir = mkdtempSync(join(tmpdir(), "weir-secret-"));
    dirs.push(dir);
    const path = join(dir, "weir.db");
    const store = redactingStore(await SqliteMetadataStore.open({ path }));
    await store.startRun({
      id: "r1",
      pipeline: "p",
      logicalDate: "2024-01-01",
      intervalStart: "2024-01-01T00:00:00.000Z",
      intervalEnd: "2024-01-02T00:00:00.000Z",
      state: "running",
      startedAt: "2024-01-01T00:00:00.000Z",
      params: { dsn: `postgres://app:${secret.reveal()}@db/x` },
    });
    await store.finishRun("r1", {
      state: "failed",
      endedAt: "2024-01-01T00:00:01.000Z",
      summary: { error: { message: `login failed for password ${secret.reveal()}` } },
    });
    await store.cursors.commit("p", "src", `cursor-${secret.reveal()}`);
    const run = await store.getRun("r1");
    expect(run?.params.dsn).toBe("postgres://app:[redacted DB_PASSWORD]@db/x");
    expect(JSON.stringify(run?.summary)).toContain("login failed for password [redacted DB_PASSWORD]");
    expect(await store.cursors.get("p", "src")).toBe("cursor-[redacted DB_PASSWORD]");
    await store.close();
    const bytes = ["", "-wal"].map((s) => {
      try {
        return readFileSync(path + s).toString("latin1");
      } catch {
        return "";
      }
    });
    expect(bytes.join("")).toContain("redacted DB_PASSWORD");
    expect(bytes.join("")).not.toContain("pg-pass-Zq81xv");
  });
});
