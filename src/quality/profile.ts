import type { WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { type CheckTarget, fromSql, targetLabel, targetSchema } from "./suite-target.js";

export interface ValueCount {
  /** The value as text (the engine's own rendering). */
  value: string;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: WeirType;
  /** Non-NULL values. */
  count: number;
  nullCount: number;
  /** nullCount / rows; null for an empty dataset. */
  nullRate: number | null;
  /** Distinct non-NULL values. */
  distinctCount: number;
  /** Smallest and largest value: numbers for numeric columns, text otherwise; absent for boolean, json and blob. */
  min?: number | string | null;
  max?: number | string | null;
  /** The most frequent non-NULL values, most frequent first (ties by value). */
  topValues: ValueCount[];
  /** Every distinct value, when there are at most `lowCardinality` of them. */
  values?: string[];
  /** Text columns: character lengths. */
  length?: { min: number | null; max: number | null; mean: number | null };
  /**
   * Text columns: values that stand for a missing value but are not NULL ("", "NA", "N/A",
   * "null", "-", … — see `MISSING_LIKE`), how many and which; absent when there are none.
   */
  missingLike?: { count: number; values: string[] };
  /** Numeric columns: distribution (quantiles interpolated). */
  numeric?: {
    mean: number | null;
    stdev: number | null;
    p5: number | null;
    p25: number | null;
    p50: number | null;
    p75: number | null;
    p95: number | null;
  };
}

export interface DatasetProfile {
  target: string;
  rowCount: number;
  columns: ColumnProfile[];
  /** Passes over the data: one for aggregates, one for value frequencies. */
  scans: number;
  profiledAt: string;
}

export interface ProfileOptions {
  /** How many top values per column; default 5. */
  topValues?: number;
  /** Up to this many distinct values are all listed (`values`); default 10. */
  lowCardinality?: number;
  now?: Date;
}

const NUMERIC: readonly WeirType[] = ["integer", "bigint", "double", "decimal"];
const NO_ORDER: readonly WeirType[] = ["boolean", "json", "blob"];
/** Text that usually means "no value" (compared trimmed, case-insensitively), as pandas' `na_values` list does. */
export const MISSING_LIKE = [
  "",
  "NA",
  "N/A",
  "N.A.",
  "#N/A",
  "NULL",
  "NONE",
  "NIL",
  "NAN",
  "-",
  "?",
  "MISSING",
];

/** Between these, a list of values shows as one text (no sentinel holds it). */
const SEPARATOR = "|";

const QUANTILES = [
  ["p5", 0.05],
  ["p25", 0.25],
  ["p50", 0.5],
  ["p75", 0.75],
  ["p95", 0.95],
] as const;

/**
 * Per-column statistics computed in the engine in two scans: one aggregate query (counts,
 * NULLs, min/max, lengths, mean, stdev, quantiles) and one `GROUPING SETS` query for every
 * column's value frequencies (distinct counts and top values). Nothing but the results
 * leaves the engine. It runs read-only.
 *
 * @example
 * const profile = await profileDataset(engine, { name: "dim_customers" });
 */
export async function profileDataset(
  engine: Engine,
  target: CheckTarget,
  options: ProfileOptions = {},
): Promise<DatasetProfile> {
  // A profile only reads: it runs in a read-only session (see Engine.readOnly).
  return engine.readOnly((ro) => profileReadOnly(ro, target, options));
}

async function profileReadOnly(
  engine: Engine,
  target: CheckTarget,
  options: ProfileOptions,
): Promise<DatasetProfile> {
  const top = options.topValues ?? 5;
  const few = options.lowCardinality ?? 10;
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const double = d.typeName("double");
  const text = d.typeName("varchar");
  const fields = (await targetSchema(engine, target)).fields;
  const from = fromSql(engine, target);

  const aggregates: string[] = [`COUNT(*) AS ${q("rows")}`];
  fields.forEach((f, i) => {
    const c = q(f.name);
    const a = (name: string, sql: string) => aggregates.push(`${sql} AS ${q(`${name}_${i}`)}`);
    a("n", `COUNT(${c})`);
    if (!NO_ORDER.includes(f.type)) {
      a("min", `CAST(MIN(${c}) AS ${text})`);
      a("max", `CAST(MAX(${c}) AS ${text})`);
    }
    if (f.type === "varchar") {
      a("lmin", `MIN(LENGTH(${c}))`);
      a("lmax", `MAX(LENGTH(${c}))`);
      a("lmean", `AVG(CAST(LENGTH(${c}) AS ${double}))`);
      const missing = `UPPER(TRIM(${c})) IN (${MISSING_LIKE.map((m) => d.quoteLiteral(m)).join(", ")})`;
      a("mlc", `COUNT(*) FILTER (WHERE ${missing})`);
      a("mlv", `STRING_AGG(DISTINCT ${c}, ${d.quoteLiteral(SEPARATOR)}) FILTER (WHERE ${missing})`);
    }
    if (NUMERIC.includes(f.type)) {
      const x = `CAST(${c} AS ${double})`;
      a("mean", `AVG(${x})`);
      a("sd", `STDDEV_SAMP(${x})`);
      for (const [name, p] of QUANTILES) a(name, `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${x})`);
    }
  });
  const [agg = {}] = await engine.query(`SELECT ${aggregates.join(", ")} FROM ${from}`);
  const rowCount = Number(agg.rows ?? 0);

  const freq = new Map<number, { values: ValueCount[]; distinct: number }>();
  if (fields.length > 0 && rowCount > 0) {
    const v = (i: number) => q(`v${i}`);
    const which = (pick: (i: number) => string) =>
      `CASE ${fields.map((_, i) => `WHEN GROUPING(${v(i)}) = 0 THEN ${pick(i)}`).join(" ")} END`;
    const casted = fields.map((f, i) => `CAST(${q(f.name)} AS ${text}) AS ${v(i)}`).join(", ");
    const sets = fields.map((_, i) => `(${v(i)})`).join(", ");
    const rows = await engine.query<{ k: unknown; v: string; n: unknown; d: unknown }>(
      `SELECT ${q("k")}, ${q("v")}, ${q("n")}, ${q("d")} FROM (
         SELECT ${q("k")}, ${q("v")}, ${q("n")}, COUNT(*) OVER (PARTITION BY ${q("k")}) AS ${q("d")},
           ROW_NUMBER() OVER (PARTITION BY ${q("k")} ORDER BY ${q("n")} DESC, ${q("v")}) AS ${q("rn")}
         FROM (
           SELECT ${which(String)} AS ${q("k")}, ${which(v)} AS ${q("v")}, COUNT(*) AS ${q("n")}
           FROM (SELECT ${casted} FROM ${from}) AS weir_cast
           GROUP BY GROUPING SETS (${sets})
         ) AS weir_groups WHERE ${q("v")} IS NOT NULL
       ) AS weir_ranked WHERE ${q("rn")} <= ${Math.max(top, few)} ORDER BY ${q("k")}, ${q("rn")}`,
    );
    for (const r of rows) {
      const k = Number(r.k);
      const entry = freq.get(k) ?? { values: [], distinct: Number(r.d) };
      entry.values.push({ value: String(r.v), count: Number(r.n) });
      freq.set(k, entry);
    }
  }

  const num = (key: string): number | null => {
    const value = agg[key];
    return value === null || value === undefined ? null : Number(value);
  };
  const columns = fields.map((f, i): ColumnProfile => {
    const count = num(`n_${i}`) ?? 0;
    const counts = freq.get(i) ?? { values: [], distinct: 0 };
    const bound = (key: string) => {
      const value = agg[`${key}_${i}`];
      if (value === null || value === undefined) return null;
      return NUMERIC.includes(f.type) && Number.isFinite(Number(value)) ? Number(value) : String(value);
    };
    return {
      name: f.name,
      type: f.type,
      count,
      nullCount: rowCount - count,
      nullRate: rowCount === 0 ? null : (rowCount - count) / rowCount,
      distinctCount: counts.distinct,
      ...(NO_ORDER.includes(f.type) ? {} : { min: bound("min"), max: bound("max") }),
      topValues: counts.values.slice(0, top),
      ...(counts.distinct > 0 && counts.distinct <= few
        ? { values: counts.values.map((x) => x.value).sort() }
        : {}),
      ...(f.type === "varchar"
        ? { length: { min: num(`lmin_${i}`), max: num(`lmax_${i}`), mean: num(`lmean_${i}`) } }
        : {}),
      ...missingLikeOf(num(`mlc_${i}`), agg[`mlv_${i}`]),
      ...(NUMERIC.includes(f.type)
        ? {
            numeric: {
              mean: num(`mean_${i}`),
              stdev: num(`sd_${i}`),
              ...Object.fromEntries(QUANTILES.map(([name]) => [name, num(`${name}_${i}`)])),
            } as NonNullable<ColumnProfile["numeric"]>,
          }
        : {}),
    };
  });
  return {
    target: targetLabel(target),
    rowCount,
    columns,
    scans: rowCount > 0 && fields.length > 0 ? 2 : 1,
    profiledAt: (options.now ?? new Date()).toISOString(),
  };
}

function missingLikeOf(count: number | null, values: unknown): Pick<ColumnProfile, "missingLike"> {
  if (!count || typeof values !== "string") return {};
  return { missingLike: { count, values: values.split(SEPARATOR).sort() } };
}
