import { resolve } from "node:path";
import type { DatasetIdentity } from "./types.js";

/**
 * Dataset names by OpenLineage's naming conventions (spec/Naming.md and the naming table
 * of the docs), one function per kind of data weir reads or writes. Namespace + name must
 * be the same whoever emits them, or lineage from weir and from other tools (Spark, dbt,
 * Airflow) does not connect — so these follow the spec exactly where it has an entry, and
 * say so where weir had to choose:
 *
 * | kind | namespace | name | source |
 * | --- | --- | --- | --- |
 * | PostgreSQL table | `postgres://{host}:{port}` | `{database}.{schema}.{table}` | Naming.md |
 * | local file or lake dataset | `file` | `{absolute path}` | Naming.md ("Local file system") |
 * | S3 / GCS object | `s3://{bucket}` / `gs://{bucket}` | `{object key}` | Naming.md |
 * | HTTP resource | `{scheme}://{host}[:{port}]` | `{path}` | URI split as Naming.md splits every URI |
 * | DuckDB table | `duckdb://{absolute file path}` | `{schema}.{table}` | weir's choice: Naming.md has no DuckDB entry |
 * | SQLite table | `sqlite://{absolute file path}` | `{table}` | weir's choice: Naming.md has no SQLite entry |
 * | NATS subject | `nats://{host}:{port}` | `{subject}` | weir's choice, after Naming.md's Kafka entry |
 *
 * Credentials, query strings and fragments never reach a name: names are shown and shared.
 */

/** PostgreSQL's default port, spelled out in every namespace (Naming.md: `{host}:{port}`). */
const POSTGRES_DEFAULT_PORT = 5432;

export type PostgresLocation =
  | { url: string; schema: string; table: string }
  | { host: string; port?: number; database: string; schema: string; table: string };

/**
 * A PostgreSQL table: `postgres://{host}:{port}` + `{database}.{schema}.{table}`. Takes the
 * connection URL (`postgres://user:pw@host:5432/db`; user and password are ignored) or its parts.
 *
 * @example
 * postgresDataset({ url: "postgres://app@db.internal/shop", schema: "public", table: "orders" })
 * // { namespace: "postgres://db.internal:5432", name: "shop.public.orders" }
 */
export function postgresDataset(location: PostgresLocation): DatasetIdentity {
  let host: string;
  let port: number;
  let database: string;
  if ("url" in location) {
    const url = new URL(location.url);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      throw new TypeError(`not a PostgreSQL URL: ${url.protocol}//${url.host}`);
    }
    host = decodeURIComponent(url.hostname) || "localhost";
    port = url.port === "" ? POSTGRES_DEFAULT_PORT : Number(url.port);
    database = decodeURIComponent(url.pathname.replace(/^\//, "")) || defaultDatabase(url);
  } else {
    host = location.host;
    port = location.port ?? POSTGRES_DEFAULT_PORT;
    database = location.database;
  }
  return {
    namespace: `postgres://${host}:${port}`,
    name: `${database}.${location.schema}.${location.table}`,
  };
}

/** libpq's rule: without a database in the URL, the database is named like the user. */
function defaultDatabase(url: URL): string {
  return decodeURIComponent(url.username) || "postgres";
}

/**
 * A DuckDB table: `duckdb://{absolute file path}` + `{schema}.{table}` (schema `main` by
 * default). weir's choice: Naming.md has no DuckDB entry; the file is what identifies the
 * database, as host and port identify a server. An in-memory database is `duckdb:memory`.
 *
 * @example
 * duckdbDataset({ file: ".weir/warehouse.duckdb", table: "dim_customers" })
 * // { namespace: "duckdb:///home/me/project/.weir/warehouse.duckdb", name: "main.dim_customers" }
 */
export function duckdbDataset(location: { file: string; schema?: string; table: string }): DatasetIdentity {
  const namespace =
    location.file === ":memory:" || location.file === ""
      ? "duckdb:memory"
      : `duckdb://${resolve(location.file)}`;
  return { namespace, name: `${location.schema ?? "main"}.${location.table}` };
}

/**
 * A file or folder on the local file system: namespace `file`, name its absolute path
 * (Naming.md, "Local file system").
 */
export function localFileDataset(path: string): DatasetIdentity {
  return { namespace: "file", name: resolve(path) };
}

/**
 * A lake dataset: its directory on the local file system (`<lake>/<zone>/<name>`), named as
 * a local folder, so engines that read the Parquet files directly name it the same.
 */
export function lakeDataset(datasetDir: string): DatasetIdentity {
  return localFileDataset(datasetDir);
}

/**
 * A SQLite table: `sqlite://{absolute file path}` + `{table}`. weir's choice: Naming.md
 * has no SQLite entry; SQLite has no schemas, and the file is the database.
 */
export function sqliteDataset(location: { file: string; table: string }): DatasetIdentity {
  return { namespace: `sqlite://${resolve(location.file)}`, name: location.table };
}

/**
 * An HTTP resource: namespace `{scheme}://{host}[:{port}]`, name the path — the URI split
 * as Naming.md splits every URI (namespace = scheme + authority, name = path). User info,
 * query and fragment are left out: they carry tokens and change from request to request.
 *
 * @example
 * httpDataset("https://api.example.com/v1/orders?page=2&token=…")
 * // { namespace: "https://api.example.com", name: "/v1/orders" }
 */
export function httpDataset(url: string): DatasetIdentity {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`not an HTTP URL: ${parsed.protocol}`);
  }
  return { namespace: `${parsed.protocol}//${parsed.host}`, name: parsed.pathname || "/" };
}

/**
 * An object in a bucket: `s3://{bucket}` or `gs://{bucket}` + `{object key}` (Naming.md).
 * Also takes `s3a://` (Hadoop's spelling), named `s3://` as the spec asks.
 */
export function objectStoreDataset(url: string): DatasetIdentity {
  const parsed = new URL(url);
  const scheme = parsed.protocol === "s3a:" || parsed.protocol === "s3n:" ? "s3:" : parsed.protocol;
  if (scheme !== "s3:" && scheme !== "gs:") throw new TypeError(`not an S3 or GCS URL: ${parsed.protocol}`);
  return {
    namespace: `${scheme}//${parsed.hostname}`,
    name: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
  };
}

/**
 * Any file location a weir source accepts: an S3/GCS URL, an HTTP URL, a `file://` URL or
 * a local path — each named by its own convention above.
 */
export function fileDataset(location: string): DatasetIdentity {
  if (/^(s3|s3a|s3n|gs):\/\//i.test(location)) return objectStoreDataset(location);
  if (/^https?:\/\//i.test(location)) return httpDataset(location);
  if (/^file:\/\//i.test(location)) return localFileDataset(decodeURIComponent(new URL(location).pathname));
  return localFileDataset(location);
}

/**
 * A NATS subject (a stream job's source): `nats://{host}:{port}` + `{subject}`. weir's
 * choice, after Naming.md's Kafka entry (`kafka://{bootstrap server host}:{port}` + `{topic}`).
 */
export function natsDataset(serverUrl: string, subject: string): DatasetIdentity {
  const parsed = new URL(serverUrl);
  return { namespace: `nats://${parsed.hostname}:${parsed.port || "4222"}`, name: subject };
}

/**
 * A table on one of weir's engines, named from the engine's kind and its `location`
 * (`Engine.location`): DuckDB's database file (or `:memory:`), PostgreSQL's
 * `host:port/database` (a `postgres://` URL works too). A table given without a schema is
 * in the engine's default schema, named explicitly: `main` on DuckDB, `public` on PostgreSQL.
 *
 * @example
 * tableDataset("postgres", "db.internal:5432/shop", undefined, "orders")
 * // { namespace: "postgres://db.internal:5432", name: "shop.public.orders" }
 */
export function tableDataset(
  kind: "duckdb" | "postgres",
  location: string,
  schema: string | undefined,
  table: string,
): DatasetIdentity {
  if (kind === "duckdb") return duckdbDataset({ file: location, schema: schema ?? "main", table });
  const url = /^postgres(ql)?:\/\//i.test(location) ? location : `postgres://${location}`;
  return postgresDataset({ url, schema: schema ?? "public", table });
}

/** `<file>#<table>`: how a SQLite source labels itself (`Source.location`). */
const SQLITE_LOCATION = /^(?<file>.+)#(?<table>[A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * A source, named from its `Source.location` (a label that never holds secrets):
 *
 * - `<file>#<table>` (a SQLite source) → `sqliteDataset`;
 * - an `http(s)://` URL → `httpDataset`;
 * - `postgres://host:port/database#schema.table` → `postgresDataset`;
 * - an `s3://`, `gs://` or `file://` URL, or a local path (a file source) → `fileDataset`;
 * - any other `scheme:label` (`postgres:orders` when the source knows no host, `memory`)
 *   → namespace `scheme`, name `label`: weir's fallback, which names the dataset
 *   consistently but cannot connect it to another producer's name for it;
 * - `memory` (a `MemorySource` without a label) → namespace and name `memory`.
 */
export function sourceDataset(location: string): DatasetIdentity {
  if (/^https?:\/\//i.test(location)) return httpDataset(location);
  const pg = /^(postgres(?:ql)?:\/\/[^#]+)#(.+)$/i.exec(location);
  if (pg) {
    const [schema, table] = splitQualified(pg[2] as string, "public");
    return postgresDataset({ url: pg[1] as string, schema, table });
  }
  if (/^(s3|s3a|s3n|gs|file):\/\//i.test(location)) return fileDataset(location);
  const sqlite = SQLITE_LOCATION.exec(location);
  if (sqlite?.groups)
    return sqliteDataset({ file: sqlite.groups.file as string, table: sqlite.groups.table as string });
  const label = /^(?<scheme>[a-z][a-z0-9+.-]*):(?!\/\/|\\)(?<rest>.+)$/i.exec(location);
  // A Windows drive letter (`C:\data`) is a path, not a scheme.
  if (label?.groups && (label.groups.scheme as string).length > 1) {
    return { namespace: (label.groups.scheme as string).toLowerCase(), name: label.groups.rest as string };
  }
  // MemorySource's default label: test data, not a file in the working directory.
  if (location === "memory") return { namespace: "memory", name: "memory" };
  return fileDataset(location);
}

function splitQualified(qualified: string, defaultSchema: string): [string, string] {
  const dot = qualified.lastIndexOf(".");
  return dot < 0 ? [defaultSchema, qualified] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
}
