import type { SnapshotRecord } from "../ledger/snapshot-ledger.js";
import { SnapshotLoadError } from "./snapshot-load-error.js";

/** What a snapshot load does, given what the ledger holds for the dimension. */
export type SnapshotDecision = "apply" | "skip";

/**
 * The ordering rule of a type 2 dimension, whose versions are cut at each snapshot's date:
 *
 * - a date after the latest loaded one: apply;
 * - a date already loaded with the same content: skip (loading a snapshot again changes
 *   nothing, whichever date it is);
 * - a date already loaded with other content: fail. Versions were cut at that date from
 *   the first content, and later snapshots may have built on them; replaying it would
 *   need to undo them. Load the corrected rows as a new (later) snapshot instead;
 * - a date before the latest loaded one, not loaded: fail naming both dates.
 *
 * A type 1 dimension keeps no history, so it applies whatever the date (the same content
 * again is skipped all the same).
 *
 * `loaded` is the ledger's row for this very date, if any; `contentHash` is undefined while
 * the snapshot is not staged yet: then only what can be decided without it is decided
 * (`undefined` means: stage it and ask again).
 */
export function snapshotDecision(input: {
  table: string;
  asOf: string;
  scdType: 1 | 2;
  latest: SnapshotRecord | undefined;
  loaded: SnapshotRecord | undefined;
  contentHash: string | undefined;
}): SnapshotDecision | undefined {
  const { table, asOf, latest, loaded, contentHash } = input;
  if (input.scdType === 2 && latest && loaded === undefined && asOf < latest.asOf) {
    throw new SnapshotLoadError(
      `snapshot of ${asOf} is older than the latest loaded snapshot of ${table} (${latest.asOf}); snapshots of a type 2 dimension load in date order`,
      { table, asOf, latestAsOf: latest.asOf },
    );
  }
  if (loaded === undefined) return "apply";
  if (contentHash === undefined) return undefined;
  if (contentHash === loaded.contentHash) return "skip";
  if (input.scdType === 1) return "apply";
  throw new SnapshotLoadError(
    `snapshot of ${asOf} was already loaded into ${table} with other content; versions were cut at ${asOf} from the first one, so load the corrected rows as a later snapshot`,
    { table, asOf, latestAsOf: latest?.asOf, loadedHash: loaded.contentHash, contentHash },
  );
}
