import type { Migration } from "./migrations.js";

/**
 * Migration 7: governance.
 *
 * - `audit_log`: append-only, hash-chained. `seq` is the primary key, so two writers that
 *   both read seq N and append N+1 cannot both commit — the loser retries on the new head,
 *   and the chain never forks. `hash` = SHA-256 over the previous hash and the entry's
 *   canonical JSON; `weir audit verify` recomputes the chain.
 * - `token_vault`: tokens from the `tokenize` policy and the value each stands for
 *   (encrypted, AES-256-GCM with a key from the environment); erasure tombstones a token
 *   (`tombstoned_at`) and clears its value.
 * - `governance_grants`: explicit grants (e.g. `detokenize`) held by a principal.
 * - `policy_state`: the last policy seen per dataset (its fingerprint and definition), so a
 *   changed policy is written to the audit log once.
 * - `erasures`: one row per erasure request and what it removed.
 */
export const GOVERNANCE_MIGRATION: Migration = {
  version: 7,
  name: "governance: audit log, token vault, grants, policy state, erasures",
  statements: [
    `CREATE TABLE audit_log (
      seq BIGINT PRIMARY KEY,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      dataset TEXT,
      rows_affected BIGINT,
      reason TEXT,
      details TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    `CREATE TABLE token_vault (
      token TEXT PRIMARY KEY,
      pii_class TEXT,
      value_cipher TEXT,
      created_at TEXT NOT NULL,
      tombstoned_at TEXT
    )`,
    `CREATE TABLE governance_grants (
      principal TEXT NOT NULL,
      permission TEXT NOT NULL,
      granted_by TEXT NOT NULL,
      granted_at TEXT NOT NULL,
      PRIMARY KEY (principal, permission)
    )`,
    `CREATE TABLE policy_state (
      dataset TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      definition TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE erasures (
      id TEXT PRIMARY KEY,
      subject_column TEXT NOT NULL,
      subject_digest TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      finished_at TEXT,
      dry_run INTEGER NOT NULL,
      removed TEXT
    )`,
  ],
};
