import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  duckdbDataset,
  fileDataset,
  httpDataset,
  lakeDataset,
  localFileDataset,
  natsDataset,
  objectStoreDataset,
  postgresDataset,
  sourceDataset,
  sqliteDataset,
  tableDataset,
} from "./dataset-naming.js";

describe("dataset naming (OpenLineage Naming.md)", () => {
  it("PostgreSQL: postgres://{host}:{port} + {database}.{schema}.{table}, never the credentials", () => {
    expect(
      postgresDataset({
        url: "postgres://app:hunter22@db.internal:6543/shop?sslmode=require",
        schema: "public",
        table: "orders",
      }),
    ).toEqual({
      namespace: "postgres://db.internal:6543",
      name: "shop.public.orders",
    });
    // The default port is written out, and postgresql:// is the same data source.
    expect(postgresDataset({ url: "postgresql://db.internal/shop", schema: "s", table: "t" }).namespace).toBe(
      "postgres://db.internal:5432",
    );
    expect(postgresDataset({ host: "127.0.0.1", database: "test", schema: "weir", table: "runs" })).toEqual({
      namespace: "postgres://127.0.0.1:5432",
      name: "test.weir.runs",
    });
    // libpq: no database in the URL means the user's name.
    expect(postgresDataset({ url: "postgres://alice@h", schema: "public", table: "t" }).name).toBe(
      "alice.public.t",
    );
    expect(() => postgresDataset({ url: "mysql://h/db", schema: "s", table: "t" })).toThrow(
      /not a PostgreSQL URL/,
    );
  });

  it("DuckDB (weir's choice): duckdb://{absolute file path} + {schema}.{table}", () => {
    expect(
      duckdbDataset({ file: "/srv/w/warehouse.duckdb", schema: "marts", table: "dim_customers" }),
    ).toEqual({
      namespace: "duckdb:///srv/w/warehouse.duckdb",
      name: "marts.dim_customers",
    });
    expect(duckdbDataset({ file: "rel/w.duckdb", table: "t" })).toEqual({
      namespace: `duckdb://${resolve("rel/w.duckdb")}`,
      name: "main.t",
    });
    expect(duckdbDataset({ file: ":memory:", table: "t" }).namespace).toBe("duckdb:memory");
  });

  it("local files and lake datasets: namespace file, name the absolute path", () => {
    expect(localFileDataset("/data/in/customers.csv")).toEqual({
      namespace: "file",
      name: "/data/in/customers.csv",
    });
    expect(lakeDataset(".weir/lake/raw/customers")).toEqual({
      namespace: "file",
      name: resolve(".weir/lake/raw/customers"),
    });
    expect(fileDataset("file:///data/my%20file.csv")).toEqual({
      namespace: "file",
      name: "/data/my file.csv",
    });
  });

  it("object stores: s3://{bucket} or gs://{bucket} + {object key}", () => {
    expect(objectStoreDataset("s3://lake/raw/orders/part-0.parquet")).toEqual({
      namespace: "s3://lake",
      name: "raw/orders/part-0.parquet",
    });
    expect(objectStoreDataset("s3a://lake/x")).toEqual({ namespace: "s3://lake", name: "x" });
    expect(fileDataset("gs://b/k/v.json")).toEqual({ namespace: "gs://b", name: "k/v.json" });
  });

  it("HTTP: scheme://host[:port] + path, without user info, query or fragment", () => {
    expect(httpDataset("https://user:pw@api.example.com:8443/v1/orders?page=2&token=abc#x")).toEqual({
      namespace: "https://api.example.com:8443",
      name: "/v1/orders",
    });
    expect(fileDataset("http://h/data.csv")).toEqual({ namespace: "http://h", name: "/data.csv" });
    expect(() => httpDataset("ftp://h/x")).toThrow(/not an HTTP URL/);
  });

  it("SQLite (weir's choice): sqlite://{absolute path} + {table}", () => {
    expect(sqliteDataset({ file: "/data/app.db", table: "users" })).toEqual({
      namespace: "sqlite:///data/app.db",
      name: "users",
    });
  });

  it("NATS (weir's choice, after Kafka's entry): nats://{host}:{port} + {subject}", () => {
    expect(natsDataset("nats://user:pw@broker:4223", "events.clicks")).toEqual({
      namespace: "nats://broker:4223",
      name: "events.clicks",
    });
    expect(natsDataset("nats://broker", "e").namespace).toBe("nats://broker:4222");
  });

  it("engine tables: by Engine.kind and Engine.location, default schema named", () => {
    expect(tableDataset("postgres", "db.internal:5432/shop", undefined, "orders")).toEqual({
      namespace: "postgres://db.internal:5432",
      name: "shop.public.orders",
    });
    expect(tableDataset("postgres", "postgres://u:p@h:5433/w", "marts", "f")).toEqual({
      namespace: "postgres://h:5433",
      name: "w.marts.f",
    });
    expect(tableDataset("duckdb", "/w/warehouse.duckdb", undefined, "t")).toEqual({
      namespace: "duckdb:///w/warehouse.duckdb",
      name: "main.t",
    });
    expect(tableDataset("duckdb", ":memory:", "staging", "t")).toEqual({
      namespace: "duckdb:memory",
      name: "staging.t",
    });
  });

  it("sources: by Source.location", () => {
    expect(sourceDataset("/data/app.db#users")).toEqual({
      namespace: "sqlite:///data/app.db",
      name: "users",
    });
    expect(sourceDataset("https://api.example.com/v1/orders?api_key=***")).toEqual({
      namespace: "https://api.example.com",
      name: "/v1/orders",
    });
    expect(sourceDataset("postgres://db:5432/shop#sales.orders")).toEqual({
      namespace: "postgres://db:5432",
      name: "shop.sales.orders",
    });
    expect(sourceDataset("postgres:orders")).toEqual({ namespace: "postgres", name: "orders" });
    expect(sourceDataset("memory")).toEqual({ namespace: "memory", name: "memory" });
    expect(sourceDataset("data/customers.csv")).toEqual({
      namespace: "file",
      name: resolve("data/customers.csv"),
    });
    expect(sourceDataset("s3://b/k.parquet")).toEqual({ namespace: "s3://b", name: "k.parquet" });
  });
});
