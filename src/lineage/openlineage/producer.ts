import { readFileSync } from "node:fs";

/**
 * Who made an event, and which spec it follows: the values every event and facet carries.
 * OpenLineage asks for a URI that names the producer at a version ("a git url with a given
 * tag or sha"), so the producer is weir's repository at the release tag of the running
 * weir — one constant per process, never a branch.
 */

/** weir's version from its package.json (the same relative path from src/ and dist/). */
function readWeirVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export const WEIR_VERSION: string = readWeirVersion();

/** `producer` of every event and `_producer` of every facet weir builds. */
export const WEIR_PRODUCER = `https://github.com/weir-data/weir/tree/${WEIR_VERSION}`;

/** The OpenLineage core spec version weir's events follow. */
export const OPENLINEAGE_SPEC_VERSION = "2-0-2";

/** `schemaURL` of every RunEvent: the spec file and the JSON pointer to the RunEvent definition. */
export const RUN_EVENT_SCHEMA_URL = `https://openlineage.io/spec/${OPENLINEAGE_SPEC_VERSION}/OpenLineage.json#/$defs/RunEvent`;

/** The job namespace when the config names none (OpenLineage: the scheduler's name). */
export const DEFAULT_JOB_NAMESPACE = "weir";
