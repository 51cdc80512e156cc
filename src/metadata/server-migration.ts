import type { Migration } from "./migrations.js";

/**
 * Migration 8: `weir serve`.
 *
 * - `api_tokens`: the API's bearer tokens. Only the SHA-256 of a token's secret is kept
 *   (`secret_hash`), never the secret: a copy of the database does not let anyone in.
 *   `grants` is a JSON array (e.g. `["detokenize"]`). A revoked token keeps its row (the
 *   audit log names it) with `revoked_at` set; the partial unique index keeps one live
 *   token per name, so `weir token revoke <name>` is never ambiguous.
 * - Three indexes for the run list the API pages through newest first by keyset
 *   (`started_at DESC, id DESC`), over all runs, per pipeline and per state, so page N of
 *   100k runs costs what page 1 does. Without the state one, `?state=succeeded` on SQLite
 *   sorted every succeeded run per page (270 ms at 100k runs, and SQLite's one writer
 *   queue made every other request wait behind it: bench/server.ts).
 */
export const SERVER_MIGRATION: Migration = {
  version: 8,
  name: "server: API tokens, run listing indexes",
  statements: [
    `CREATE TABLE api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      grants TEXT NOT NULL,
      secret_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_at TEXT,
      created_by TEXT NOT NULL
    )`,
    "CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL",
    "CREATE INDEX runs_started ON runs (started_at, id)",
    "CREATE INDEX runs_pipeline_started ON runs (pipeline, started_at, id)",
    "CREATE INDEX runs_state_started ON runs (state, started_at, id)",
  ],
};
