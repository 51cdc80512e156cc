import type { PoolClient } from "pg";

/** Clients that already carry weir's listener: the pool hands the same clients out again and again. */
const watched = new WeakSet<PoolClient>();

/**
 * Gives a client checked out of the pool an `'error'` listener for as long as it lives.
 *
 * The pool listens for errors only while a client is idle in it; a checked-out client whose
 * server goes away between statements (a restart, a failover, `pg_terminate_backend`) emits
 * `'error'` with nobody listening, which kills the Node process and every run in it. With a
 * listener the loss costs only the work on that connection: the statement in flight is
 * rejected by pg itself, a later one fails with "not queryable", and `queryFailed` turns
 * both into a retryable `ENGINE_CONNECTION_FAILED`; the pool drops the dead client on release.
 */
export function watchConnection(client: PoolClient): PoolClient {
  if (!watched.has(client)) {
    watched.add(client);
    client.on("error", ignoreLostConnection);
  }
  return client;
}

/** Named so a heap snapshot says what the listener is for; the pending statement reports the loss. */
function ignoreLostConnection(): void {}
