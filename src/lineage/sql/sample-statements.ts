/**
 * Random-ish SQL statements of the shapes weir runs (joins, CTEs, subqueries, aggregates,
 * windows, set operations; SELECT, CREATE … AS, INSERT … SELECT … ON CONFLICT, COPY … TO),
 * each text distinct, over the tables `SAMPLE_TABLES` describes: for the lineage
 * throughput measure and for tests that every statement is read without an error. A seed
 * gives the same statements every time.
 */

export const SAMPLE_TABLES: Readonly<Record<string, readonly string[]>> = {
  t: ["a", "b", "c", "d", "id"],
  u: ["id", "x", "y"],
  "dw.orders": ["order_id", "customer_id", "amount", "status", "created_at"],
};

type Random = () => number;

/** mulberry32: a small seeded generator, so the statements are the same for a seed. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

interface Source {
  from: string;
  /** Qualified columns the FROM makes available. */
  columns: string[];
  numeric: string[];
}

function source(random: Random, n: number): Source {
  const t = ["t.a", "t.b", "t.c", "t.d", "t.id"];
  const u = ["u.x", "u.y"];
  switch (Math.floor(random() * 5)) {
    case 0:
      return { from: "t", columns: t, numeric: ["t.a", "t.c", "t.d"] };
    case 1:
      return { from: "t JOIN u ON t.id = u.id", columns: [...t, ...u], numeric: ["t.a", "t.c", "u.x"] };
    case 2:
      return {
        from: `(SELECT a, b, c, d, id FROM t WHERE c > ${n}) AS t LEFT JOIN u ON u.id = t.id`,
        columns: [...t, ...u],
        numeric: ["t.a", "t.c"],
      };
    case 3:
      return {
        from: "dw.orders o",
        columns: ["o.order_id", "o.customer_id", "o.amount", "o.status", "o.created_at"],
        numeric: ["o.amount", "o.order_id"],
      };
    default:
      return {
        from: `read_parquet('lake/events/day=${n}/*.parquet') e`,
        columns: ["e.event_id", "e.kind"],
        numeric: ["e.event_id"],
      };
  }
}

function scalar(random: Random, s: Source, n: number): string {
  const c = pick(random, s.columns);
  const num = pick(random, s.numeric);
  return pick(random, [
    c,
    `${num} + ${n}`,
    `lower(CAST(${c} AS VARCHAR))`,
    `CASE WHEN ${num} > ${n} THEN ${c} ELSE NULL END`,
    `coalesce(${num}, ${n})`,
    `md5(CAST(${c} AS VARCHAR))`,
    `CAST(${num} AS BIGINT)`,
    `nullif(${num}, 0)`,
  ]);
}

function aggregate(random: Random, s: Source): string {
  const num = pick(random, s.numeric);
  return pick(random, [
    `sum(${num})`,
    "count(*)",
    `count(DISTINCT ${pick(random, s.columns)})`,
    `max(${num}) FILTER (WHERE ${num} > 0)`,
    `avg(${num})`,
  ]);
}

function select(random: Random, n: number, width: number, ordered = true): string {
  const s = source(random, n);
  const grouped = random() < 0.35;
  const items: string[] = [];
  for (let i = 0; i < width; i++) {
    let item: string;
    if (grouped && i > 0) item = aggregate(random, s);
    else if (!grouped && random() < 0.15) {
      item = `row_number() OVER (PARTITION BY ${pick(random, s.columns)} ORDER BY ${pick(random, s.numeric)})`;
    } else item = scalar(random, s, n);
    // Most items named, some left for DuckDB to name by their text.
    items.push(random() < 0.75 ? `${item} AS c${i}` : item);
  }
  let sql = `SELECT ${items.join(", ")} FROM ${s.from}`;
  if (random() < 0.6) sql += ` WHERE ${pick(random, s.numeric)} ${pick(random, ["<", ">", "<>"])} ${n}`;
  if (grouped) sql += " GROUP BY ALL";
  if (ordered && random() < 0.4) sql += ` ORDER BY ${1 + Math.floor(random() * width)}`;
  return sql;
}

function query(random: Random, n: number): string {
  const width = 1 + Math.floor(random() * 4);
  const roll = random();
  if (roll < 0.15)
    return `${select(random, n, width, false)} UNION ALL ${select(random, n + 1, width, false)}`;
  if (roll < 0.3) {
    return `WITH base AS (${select(random, n, width)}) SELECT * FROM base WHERE ${n} > 0`;
  }
  return select(random, n, width);
}

/**
 * `count` statements from `seed`; about one in twenty is cut short (invalid SQL), the
 * rest are valid DuckDB. The numbers in the texts start at `firstNumber`: two calls with
 * different ones share no text.
 *
 * @example
 * const statements = sampleStatements(1000);
 */
export function sampleStatements(count: number, seed = 42, firstNumber = 0): string[] {
  const random = seeded(seed);
  const statements: string[] = [];
  for (let n = firstNumber; n < firstNumber + count; n++) {
    const q = query(random, n);
    let sql: string;
    switch (Math.floor(random() * 6)) {
      case 0:
        sql = `CREATE OR REPLACE TABLE out_${n} AS ${q}`;
        break;
      case 1:
        sql = `CREATE VIEW v_${n} AS ${q}`;
        break;
      case 2:
        sql = `INSERT INTO target_${n % 7} ${q} ON CONFLICT DO NOTHING`;
        break;
      case 3:
        sql = `COPY (${q}) TO 'out/${n}.parquet' (FORMAT parquet)`;
        break;
      default:
        sql = q;
    }
    if (random() < 0.05) sql = sql.slice(0, Math.floor(random() * sql.length));
    statements.push(sql);
  }
  return statements;
}
