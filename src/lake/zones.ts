import { ConfigError } from "../core/errors.js";

/**
 * The lake's zones, in the order data flows through them: `raw` holds what sources
 * delivered, `processed` cleaned and conformed data, `curated` data products, `sandbox`
 * anything exploratory. A zone is the first folder under the lake root.
 */
export const ZONES = ["raw", "processed", "curated", "sandbox"] as const;

export type Zone = (typeof ZONES)[number];

export interface DatasetName {
  zone: Zone;
  name: string;
}

/**
 * Dataset and partition-column names become folder names, so they are restricted to a
 * charset every file system and object store accepts without escaping.
 */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const MAX_NAME_LENGTH = 128;

export function isZone(value: string): value is Zone {
  return (ZONES as readonly string[]).includes(value);
}

/**
 * Throws a ConfigError unless `name` is a safe folder name: letters, digits, `_` and `-`,
 * not starting with `-`, at most 128 characters.
 */
export function assertSafeName(name: string, what: string): void {
  if (name.length > MAX_NAME_LENGTH || !SAFE_NAME.test(name)) {
    throw new ConfigError(
      `${what} "${name}" is not allowed: expected 1–${MAX_NAME_LENGTH} letters, digits, "_" or "-" (not starting with "-"), because it becomes a folder name`,
      { details: { name, what } },
    );
  }
}

/**
 * Parses a dataset id, `lake.<zone>.<name>` or the short `<zone>.<name>`.
 *
 * @example
 * parseDatasetId("lake.raw.customers"); // { zone: "raw", name: "customers" }
 * parseDatasetId("curated.orders");     // { zone: "curated", name: "orders" }
 */
export function parseDatasetId(id: string): DatasetName {
  const parts = id.split(".");
  if (parts.length === 3 && parts[0] !== "lake") {
    throw new ConfigError(
      `lake dataset id "${id}" must start with "lake." (expected "lake.<zone>.<name>" or "<zone>.<name>")`,
      { details: { id } },
    );
  }
  if (parts.length !== 2 && parts.length !== 3) {
    throw new ConfigError(
      `lake dataset id "${id}" is malformed: expected "lake.<zone>.<name>" or "<zone>.<name>", e.g. "lake.raw.customers"`,
      { details: { id } },
    );
  }
  const [zone, name] = parts.slice(-2) as [string, string];
  if (!isZone(zone)) {
    throw new ConfigError(
      `lake dataset id "${id}" names unknown zone "${zone}": expected one of ${ZONES.join(", ")}`,
      {
        details: { id, zone },
      },
    );
  }
  assertSafeName(name, `dataset name in "${id}"`);
  return { zone, name };
}

/** The canonical id of a dataset: `lake.<zone>.<name>`. */
export function datasetId(dataset: DatasetName): string {
  return `lake.${dataset.zone}.${dataset.name}`;
}
