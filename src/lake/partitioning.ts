import { ConfigError } from "../core/errors.js";
import { unescapePartitionValue } from "./partition-escape.js";
import { assertSafeName } from "./zones.js";

/**
 * How a dataset is partitioned: a column of the input, or a named SQL expression evaluated
 * over the input, e.g. `{ name: "year", expression: "strftime(updated_at, '%Y')" }` or a
 * constant `{ name: "day", expression: "'15'" }`. Each becomes a `name=value` folder level.
 */
export type PartitionColumn = string | { name: string; expression: string };

/**
 * Partition pruning: equality (one value) or IN (a list) per partition column. Only files
 * whose partition values match are handed to the reader. `null` matches the NULL partition.
 */
export type PartitionFilter = Record<string, string | null | readonly (string | null)[]>;

/** A file's partition values, decoded: `null` is the SQL NULL partition. */
export type PartitionValues = Record<string, string | null>;

export type TimeGrain = "year" | "month" | "day" | "hour";

/** What the Hive convention (and DuckDB) writes as the folder value of a NULL. */
export const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

const GRAIN_FORMATS: readonly (readonly [string, string])[] = [
  ["year", "%Y"],
  ["month", "%m"],
  ["day", "%d"],
  ["hour", "%H"],
];

/**
 * Partition columns `year=YYYY/month=MM/day=DD/hour=HH` (zero-padded, down to `grain`)
 * computed from a timestamp or date column.
 *
 * @example
 * await dataset.write(input, { mode: "overwrite-partition", partitionBy: timePartitions("updated_at", "day") });
 * // → <dataset>/year=2024/month=03/day=07/part-….parquet
 */
export function timePartitions(column: string, grain: TimeGrain): PartitionColumn[] {
  const depth = GRAIN_FORMATS.findIndex(([name]) => name === grain);
  if (depth < 0) {
    throw new ConfigError(`time partition grain "${grain}" is unknown: expected year, month, day or hour`);
  }
  // DuckDB quoting: the lake always runs on an engine that writes Parquet itself (DuckDB).
  const quoted = `"${column.replaceAll('"', '""')}"`;
  return GRAIN_FORMATS.slice(0, depth + 1).map(([name, format]) => ({
    name,
    expression: `strftime(${quoted}, '${format}')`,
  }));
}

/** An expression `timePartitions` writes: a zero-padded year, month, day or hour of a column. */
const TIME_PARTITION = /^strftime\("(?:[^"]|"")*", '%[YmdH]'\)$/;

/**
 * The SQL type a partition column reads back as: the type it was written with (from the
 * manifest), except that a time partition (`timePartitions`) reads as INTEGER. Its folder
 * value stays zero-padded text (`month=03`), so existing folders and filters keep working,
 * while `WHERE month > 2` compares numbers instead of failing on VARCHAR vs INTEGER.
 *
 * @example
 * partitionReadType(timePartitions("ts", "month")[1], "VARCHAR") // "INTEGER"
 * partitionReadType("code", "VARCHAR") // "VARCHAR": `code=007` stays "007"
 */
export function partitionReadType(column: PartitionColumn | undefined, writtenType: string): string {
  const isTime = column !== undefined && typeof column !== "string" && TIME_PARTITION.test(column.expression);
  return isTime && writtenType.toUpperCase() === "VARCHAR" ? "INTEGER" : writtenType;
}

export function partitionColumnName(column: PartitionColumn): string {
  return typeof column === "string" ? column : column.name;
}

/** Validates partition columns (safe, unique names) and returns their names in order. */
export function partitionColumnNames(columns: readonly PartitionColumn[]): string[] {
  const names = columns.map(partitionColumnName);
  for (const name of names) assertSafeName(name, "partition column");
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new ConfigError(`partition column "${duplicate}" is listed twice in partitionBy`, {
      details: { partitionBy: names },
    });
  }
  return names;
}

/**
 * Reads the partition values of a file from its path relative to the dataset folder,
 * e.g. `country=DE/city=K%C3%B6ln/part-x-0.parquet` → `{ country: "DE", city: "Köln" }`.
 * Values are percent-encoded by the writer (DuckDB), so `/`, `=` and spaces survive, and
 * values DuckDB would read as NULL are escaped by weir (`partition-escape.ts`).
 */
export function parsePartitionPath(relativePath: string): PartitionValues {
  const values: PartitionValues = {};
  const segments = relativePath.split("/").slice(0, -1);
  for (const segment of segments) {
    const eq = segment.indexOf("=");
    if (eq <= 0) continue;
    values[segment.slice(0, eq)] = unescapePartitionValue(decodeURIComponent(segment.slice(eq + 1)));
  }
  return values;
}

/** A stable key for a partition (its values in column order), for set membership. */
export function partitionKey(values: PartitionValues, columns: readonly string[]): string {
  return JSON.stringify(columns.map((c) => values[c] ?? null));
}

/** Throws unless every filter key is a partition column of the dataset. */
export function assertFilterColumns(
  filter: PartitionFilter,
  columns: readonly string[],
  dataset: string,
): void {
  for (const key of Object.keys(filter)) {
    if (!columns.includes(key)) {
      throw new ConfigError(
        `partition filter on "${key}" for ${dataset}: not a partition column (partition columns: ${columns.length > 0 ? columns.join(", ") : "none"})`,
        { details: { dataset, column: key, partitionColumns: columns } },
      );
    }
  }
}

export function matchesFilter(values: PartitionValues, filter: PartitionFilter): boolean {
  for (const [column, wanted] of Object.entries(filter)) {
    const value = values[column] ?? null;
    const allowed = Array.isArray(wanted) ? wanted : [wanted];
    if (!allowed.includes(value)) return false;
  }
  return true;
}
