import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { registerSecretValue } from "../config/secret.js";
import { PII_HASH_KEY_VARIABLE } from "./policies/policy-secrets.js";
import { TOKEN_KEY_VARIABLE } from "./vault/token-key.js";

/** The secrets file of a weir home: `KEY=value` lines, read into the environment. */
export function secretsFileOf(home: string): string {
  return join(home, "secrets.env");
}

/**
 * Secrets come from the environment or from the home's secrets file (`<home>/secrets.env`,
 * read with Node's own `process.loadEnvFile`; variables already set win). A home without
 * one gets one on first use, holding fresh random keys for the `hash` and `tokenize`
 * policies (mode 0600) — as Airflow writes a Fernet key on first start — so the embedded
 * default runs with no setup. Keep the file: a new hash key gives new digests (tables
 * hashed before no longer join), a lost token key makes the vault unreadable. In
 * production set `WEIR_PII_HASH_KEY` and `WEIR_TOKEN_KEY` in the environment of every
 * machine instead.
 */
export function loadLocalSecrets(home: string): void {
  const file = secretsFileOf(home);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const key = () => randomBytes(32).toString("base64url");
    const text = [
      "# weir's secrets for this home (created on first use). Keep this file private and backed up:",
      "# a new hash key changes every digest; a lost token key makes the token vault unreadable.",
      `${PII_HASH_KEY_VARIABLE}=${key()}`,
      `${TOKEN_KEY_VARIABLE}=${key()}`,
      "",
    ].join("\n");
    // Written whole under a private name, then published by link(), which fails if the file
    // exists: a process racing this one reads either no file or a complete one, never a half.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(draft, text, { mode: 0o600, flag: "wx" });
    try {
      linkSync(draft, file);
    } catch (error) {
      // Another process created it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  const before = new Set(Object.keys(process.env));
  process.loadEnvFile(file);
  for (const name of [PII_HASH_KEY_VARIABLE, TOKEN_KEY_VARIABLE]) {
    const value = process.env[name];
    if (value && !before.has(name)) registerSecretValue(name, value);
  }
}
