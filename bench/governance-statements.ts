/**
 * SQL statements for the column lineage part of `bench/governance.ts`: the shapes a weir
 * project runs over a small warehouse (customers staging, dim_customers, orders, products,
 * events) — the customers pipeline's transform view, its policy-applied upsert, INSERT …
 * SELECT with joins, aggregates and CASE, window functions, CTEs, set operations, COPY …
 * TO and CREATE TABLE AS — and the catalog callback that knows those tables' columns.
 * Statement n carries n in its literals (dates, thresholds, file names), so no two texts
 * are equal and no parse is served from the lineage parser's cache.
 */
import type { ColumnCatalog, DatasetName } from "../src/lineage/sql/lineage-types.js";

const CUSTOMERS = [
  "customer_id",
  "name",
  "email",
  "registration_date",
  "last_activity",
  "updated_at",
  "age",
  "phone",
  "country",
];

/** Tables by name; a run's staging schema (`staging_<run id>`) holds the customers tables. */
const TABLES: Readonly<Record<string, readonly string[]>> = {
  "staging.customers": CUSTOMERS,
  "staging.customers_passed": [...CUSTOMERS, "email_domain", "days_since_registration", "is_active"],
  dim_customers: [
    "customer_id",
    "name",
    "email_hash",
    "email_masked",
    "registration_date",
    "last_activity",
    "updated_at",
    "age",
    "phone",
    "country",
    "email_domain",
    "days_since_registration",
    "is_active",
  ],
  "sales.orders": ["order_id", "customer_id", "amount", "status", "currency", "created_at"],
  "sales.order_items": ["order_id", "product_id", "quantity", "unit_price"],
  dim_products: ["product_id", "name", "category", "list_price"],
  events: ["event_id", "user_id", "event_type", "ts", "page_url", "amount"],
  "mart.daily_sales": ["day", "country", "orders", "revenue", "big_orders"],
  "mart.customer_tiers": ["customer_id", "name", "country", "tier", "last_order"],
};

/**
 * The catalog callback: columns by `schema.name`, a run's staging schema read as `staging`,
 * undefined for files and unknown tables (as a real catalog would answer); `lookups` counts
 * its calls.
 */
export function benchCatalog(): ColumnCatalog & { lookups: number } {
  const catalog = {
    lookups: 0,
    columnsOf(dataset: DatasetName) {
      catalog.lookups++;
      if ("file" in dataset) return undefined;
      const schema = dataset.schema?.startsWith("staging_") ? "staging" : dataset.schema;
      return TABLES[schema ? `${schema}.${dataset.name}` : dataset.name];
    },
  };
  return catalog;
}

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + (n % 366) * 86_400_000).toISOString().slice(0, 10);

/** The statement templates, by name; each takes the statement's number. */
export const TEMPLATES: Readonly<Record<string, (n: number) => string>> = {
  // The customers pipeline's transform task, as it runs it.
  "transform view": (n) =>
    `CREATE OR REPLACE VIEW "staging_run${n}"."customers_derived" AS
     SELECT *,
       NULLIF(lower(split_part(email, '@', 2)), '') AS email_domain,
       CAST(CAST(CAST('${day(n)} 00:00:00' AS TIMESTAMP) AS DATE) - registration_date AS BIGINT) AS days_since_registration,
       COALESCE(last_activity >= CAST('${day(n)} 00:00:00' AS TIMESTAMP) - INTERVAL '30 days', FALSE) AS is_active
     FROM "staging_run${n}"."customers"`,
  // The load: a policy-applied SELECT (hash, masks) upserted into the dimension.
  "policy upsert": (n) =>
    `INSERT INTO dim_customers (customer_id, name, email_hash, email_masked, registration_date, last_activity,
       updated_at, age, phone, country, email_domain, days_since_registration, is_active)
     SELECT customer_id, name,
       sha256(concat('k${n}', lower(trim(email)))) AS email_hash,
       CASE WHEN email IS NULL THEN NULL
            ELSE concat(left(email, 1), '***', substr(email, strpos(email, '@'))) END AS email_masked,
       registration_date, last_activity, updated_at, age,
       CASE WHEN phone IS NULL THEN NULL ELSE concat('****', right(regexp_replace(phone, '[^0-9]', '', 'g'), 4)) END,
       country, email_domain, days_since_registration, is_active
     FROM "staging_run${n}".customers_passed
     ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, email_hash = excluded.email_hash`,
  "insert join aggregate": (n) =>
    `INSERT INTO mart.daily_sales
     SELECT CAST(o.created_at AS DATE) AS day, c.country, count(*) AS orders, sum(o.amount) AS revenue,
       sum(CASE WHEN o.amount > ${100 + (n % 500)} THEN 1 ELSE 0 END) AS big_orders
     FROM sales.orders o JOIN dim_customers c ON c.customer_id = o.customer_id
     WHERE o.status <> 'cancelled' AND o.created_at >= DATE '${day(n)}'
     GROUP BY CAST(o.created_at AS DATE), c.country`,
  "ctas window": (n) =>
    `CREATE OR REPLACE TABLE mart.order_recency_${n % 97} AS
     SELECT o.customer_id, o.order_id, o.amount,
       row_number() OVER (PARTITION BY o.customer_id ORDER BY o.created_at DESC) AS recency_rank,
       sum(o.amount) OVER (PARTITION BY o.customer_id) AS lifetime_value,
       lag(o.amount) OVER (PARTITION BY o.customer_id ORDER BY o.created_at) AS previous_amount
     FROM sales.orders o
     WHERE o.created_at < TIMESTAMP '${day(n)} 00:00:00'`,
  "insert cte": (n) =>
    `INSERT INTO mart.customer_tiers
     WITH recent AS (
       SELECT customer_id, max(created_at) AS last_order, count(*) AS orders
       FROM sales.orders WHERE created_at >= DATE '${day(n)}' GROUP BY customer_id
     ), tiers AS (
       SELECT r.customer_id, r.last_order,
         CASE WHEN r.orders >= ${10 + (n % 5)} THEN 'gold' WHEN r.orders >= 3 THEN 'silver' ELSE 'bronze' END AS tier
       FROM recent r
     )
     SELECT t.customer_id, d.name, d.country, t.tier, t.last_order
     FROM tiers t JOIN dim_customers d ON d.customer_id = t.customer_id`,
  "copy to": (n) =>
    `COPY (
       SELECT e.user_id, e.event_type, e.ts, d.country, lower(e.page_url)
       FROM events e LEFT JOIN dim_customers d ON d.customer_id = e.user_id
       WHERE e.ts >= TIMESTAMP '${day(n)} 00:00:00'
     ) TO 'lake/exports/events_${n}.parquet' (FORMAT parquet)`,
  "select subquery having": (n) =>
    `SELECT p.category, sum(i.quantity * i.unit_price) AS revenue, avg(i.unit_price) AS avg_price, count(DISTINCT paid.customer_id)
     FROM sales.order_items i
     JOIN dim_products p ON p.product_id = i.product_id
     JOIN (SELECT order_id, customer_id FROM sales.orders WHERE status = 'paid' AND created_at >= DATE '${day(n)}') AS paid
       ON paid.order_id = i.order_id
     GROUP BY p.category
     HAVING sum(i.quantity) > ${n % 1000}`,
  "ctas union": (n) =>
    `CREATE TABLE mart.activity_${n} AS
     SELECT country, 'orders' AS source, count(*) AS n, max(o.created_at) AS latest
     FROM sales.orders o JOIN dim_customers c USING (customer_id) WHERE o.amount > ${n % 50} GROUP BY country
     UNION ALL
     SELECT d.country, 'events', count(*), max(e.ts)
     FROM events e JOIN dim_customers d ON d.customer_id = e.user_id GROUP BY d.country`,
};

/** `count` statements, the templates in turn, numbered from `first` (distinct texts for distinct numbers). */
export function benchStatements(count: number, first: number): { template: string; sql: string }[] {
  const names = Object.keys(TEMPLATES);
  const out: { template: string; sql: string }[] = [];
  for (let i = 0; i < count; i++) {
    const template = names[i % names.length]!;
    out.push({ template, sql: TEMPLATES[template]!(first + i) });
  }
  return out;
}
