import { z } from "zod";
import type {
  AggregatePlan,
  CompileContext,
  GroupOutput,
  GroupPlan,
  Outcome,
} from "./expectation-definition.js";
import { defineExpectation, groupCount, groupKey } from "./expectation-definition.js";
import {
  type CategoricalCounts,
  categoricalDivergence,
  continuousDivergence,
  type Divergence,
  sameValue,
} from "./kl-divergence.js";
import { column, commonKwargs } from "./kwargs.js";
import { type CategoricalPartition, type ContinuousPartition, readPartition } from "./partition-object.js";
import { toCount, toNumber } from "./result-values.js";

/**
 * `expect_column_kl_divergence_to_be_less_than`: the Kullback-Leibler divergence of the
 * column's distribution from `partition_object` (see partition-object.ts), judged
 * `divergence <= threshold`; without a threshold only `observed_value` is reported (and the
 * expectation passes), as GX. An infinite or undefined divergence — a value where the
 * partition expects none, an empty column — is `observed_value: null` and a failure.
 *
 * The counts come from SQL, the divergence from them in JS (`kl-divergence.ts`): a
 * continuous partition's histogram is part of the main scan; a categorical one needs the
 * column's value counts, a GROUP BY pass. `partition_object: null` with
 * `bucketize_data: false` compares the column with its own value counts (GX's profiling
 * form, divergence 0); with bucketize_data (GX's automatic histogram bins) it is refused.
 */
const NUMERIC = new Set(["integer", "bigint", "double", "decimal"]);
const holdout = (what: string) => z.number().min(0).max(1).optional().describe(`${what} (0 to 1, default 0)`);

const klKwargs = z
  .object({
    column,
    partition_object: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .describe("{ values, weights } (categorical) or { bins, weights, tail_weights? } (continuous)"),
    threshold: z
      .number()
      .min(0)
      .nullable()
      .optional()
      .describe("the largest divergence that passes; null reports only"),
    tail_weight_holdout: holdout("weight for values outside the partition"),
    internal_weight_holdout: holdout("weight split among the zero-weight bins"),
    bucketize_data: z.boolean().optional().describe("bin continuous data (default true)"),
    min_value: z.unknown().optional().describe("accepted for GX compatibility; ignored"),
    max_value: z.unknown().optional().describe("accepted for GX compatibility; ignored"),
    ...commonKwargs,
  })
  .strict()
  .superRefine((a, issue) => {
    const problem = argumentProblem(a);
    if (problem) issue.addIssue({ code: "custom", message: problem.message, path: [problem.path] });
  });
type KlArgs = z.infer<typeof klKwargs>;

/** GX's ValueErrors of `_validate`, found before anything runs. */
function argumentProblem(a: KlArgs): { path: string; message: string } | undefined {
  const tail = a.tail_weight_holdout ?? 0;
  const internal = a.internal_weight_holdout ?? 0;
  if (a.partition_object === null || a.partition_object === undefined) {
    if (a.bucketize_data ?? true)
      return {
        path: "partition_object",
        message:
          "give a partition_object: without one GX builds automatic histogram bins from the data, which weir does not (bucketize_data: false compares categorical data with its own value counts)",
      };
    return undefined;
  }
  let partition: CategoricalPartition | ContinuousPartition;
  try {
    partition = readPartition(a.partition_object);
  } catch (error) {
    return { path: "partition_object", message: `Invalid partition object: ${(error as Error).message}` };
  }
  if (tail !== 0 && partition.kind === "continuous" && partition.tail_weights)
    return {
      path: "tail_weight_holdout",
      message: "tail_weight_holdout must be 0 when using tail_weights in partition object",
    };
  if (partition.kind === "categorical") {
    if (internal > 0)
      return {
        path: "internal_weight_holdout",
        message: "Internal weight holdout cannot be used for discrete data.",
      };
    return undefined;
  }
  if (a.bucketize_data === false)
    return {
      path: "bucketize_data",
      message:
        "KL Divergence cannot be computed with a continuous partition object and the bucketize_data parameter set to false.",
    };
  const lowInfinite = partition.bins[0] === Number.NEGATIVE_INFINITY;
  const highInfinite = partition.bins.at(-1) === Number.POSITIVE_INFINITY;
  if (lowInfinite && highInfinite && tail > 0)
    return {
      path: "tail_weight_holdout",
      message: "tail_weight_holdout cannot be used for partitions with infinite endpoints.",
    };
  if ((lowInfinite || highInfinite) && partition.tail_weights)
    return {
      path: "partition_object",
      message: "There can be no tail weights for partitions with one or both endpoints at infinity",
    };
  return undefined;
}

function judge(a: KlArgs, divergence: Divergence): Outcome {
  const { kl } = divergence;
  const finite = Number.isFinite(kl);
  const threshold = a.threshold ?? null;
  return {
    success: threshold === null ? true : finite && kl <= threshold,
    result: { observed_value: finite ? kl : null, details: divergence.details },
  };
}

const filtered = (ctx: CompileContext, condition: string) =>
  `count(*) FILTER (WHERE ${ctx.rowCondition === undefined ? condition : `${ctx.rowCondition} AND ${condition}`})`;

/** The histogram as main-scan counts (GX's `column.histogram` with its SQL bin conditions). */
function histogramPlan(a: KlArgs, ctx: CompileContext, partition: ContinuousPartition): AggregatePlan {
  const type = ctx.typeOf(a.column);
  if (type !== undefined && !NUMERIC.has(type))
    throw new Error(`column "${a.column}" is ${type}: a partition with bins needs a numeric column`);
  const col = ctx.q(a.column);
  const edges = partition.bins;
  const last = edges.length - 2;
  const selects: Record<string, string> = { n: filtered(ctx, `${col} IS NOT NULL`) };
  for (let i = 0; i <= last; i++) {
    const [lo, hi] = [edges[i]!, edges[i + 1]!];
    const parts: string[] = [];
    if (Number.isFinite(lo)) parts.push(`${col} >= ${ctx.lit(lo)}`);
    if (Number.isFinite(hi)) parts.push(`${col} ${i === last ? "<=" : "<"} ${ctx.lit(hi)}`);
    selects[`b${i}`] = filtered(ctx, parts.length > 0 ? parts.join(" AND ") : `${col} IS NOT NULL`);
  }
  if (Number.isFinite(edges[0])) selects.below = filtered(ctx, `${col} < ${ctx.lit(edges[0]!)}`);
  if (Number.isFinite(edges.at(-1))) selects.above = filtered(ctx, `${col} > ${ctx.lit(edges.at(-1)!)}`);
  return {
    plan: "aggregate",
    selects,
    evaluate: (v) =>
      judge(
        a,
        continuousDivergence(
          partition,
          {
            nonNull: toCount(v.n),
            bins: partition.weights.map((_, i) => toCount(v[`b${i}`])),
            below: toCount(v.below),
            above: toCount(v.above),
          },
          a.tail_weight_holdout ?? 0,
          a.internal_weight_holdout ?? 0,
        ),
      ),
  };
}

/** Value counts from a GROUP BY pass (GX's `column.value_counts`), judged against the partition. */
function valueCountsPlan(a: KlArgs, ctx: CompileContext, given: CategoricalPartition | undefined): GroupPlan {
  const col = ctx.q(a.column);
  const key = groupKey(0);
  const values = given?.values ?? [];
  const inside = values.length === 0 ? "FALSE" : `${key} IN (${values.map((v) => ctx.lit(v)).join(", ")})`;
  const stats: Record<string, string> = {
    total: `sum(${groupCount})`,
    outside: `count(*) FILTER (WHERE NOT (${inside}))`,
    outsideRows: `sum(${groupCount}) FILTER (WHERE NOT (${inside}))`,
    outsideLog: `sum(${groupCount} * ln(CAST(${groupCount} AS ${ctx.sql.double}))) FILTER (WHERE NOT (${inside}))`,
  };
  values.forEach((v, i) => {
    stats[`v${i}`] = `sum(${groupCount}) FILTER (WHERE ${key} = ${ctx.lit(v)})`;
  });
  const where =
    ctx.rowCondition === undefined ? `${col} IS NOT NULL` : `${ctx.rowCondition} AND ${col} IS NOT NULL`;
  return {
    plan: "group",
    keys: [{ sql: col, type: ctx.typeOf(a.column) }],
    where,
    stats,
    distinct: true,
    evaluate: (out: GroupOutput) => {
      const nonNull = toCount(out.stats.total);
      if (given === undefined) {
        // GX's profiling form: the partition is the data's own value counts, so the divergence is 0 (NaN when empty).
        const own: CategoricalPartition = {
          kind: "categorical",
          values: out.distinct.map((g) => g.key[0] as string),
          weights: out.distinct.map((g) => g.n / nonNull),
        };
        const counts: CategoricalCounts = {
          nonNull,
          expected: out.distinct.map((g) => g.n),
          unexpected: [],
          complete: true,
          unexpectedDistinct: 0,
          unexpectedRows: 0,
          unexpectedRowsLogRows: 0,
        };
        return judge(a, categoricalDivergence(own, counts, 0));
      }
      const outside = out.distinct.filter((g) => !values.some((v) => sameValue(g.key[0], v)));
      const distinct = toCount(out.stats.outside);
      const complete = !out.distinctTruncated && outside.length === distinct;
      return judge(
        a,
        categoricalDivergence(
          given,
          {
            nonNull,
            expected: values.map((_, i) => toCount(out.stats[`v${i}`])),
            unexpected: outside.map((g) => ({ value: g.key[0], count: g.n })),
            complete,
            unexpectedDistinct: distinct,
            unexpectedRows: toCount(out.stats.outsideRows),
            unexpectedRowsLogRows: toNumber(out.stats.outsideLog) ?? 0,
          },
          a.tail_weight_holdout ?? 0,
        ),
      );
    },
  };
}

export const columnKlDivergenceToBeLessThan = defineExpectation({
  type: "expect_column_kl_divergence_to_be_less_than",
  kind: "column_aggregate",
  description:
    "The KL divergence of the column's distribution from `partition_object` is at most `threshold` (GX's partition objects).",
  kwargs: klKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    if (a.partition_object === null || a.partition_object === undefined)
      return valueCountsPlan(a, ctx, undefined);
    const partition = readPartition(a.partition_object);
    return partition.kind === "continuous"
      ? histogramPlan(a, ctx, partition)
      : valueCountsPlan(a, ctx, partition);
  },
});

export const KL_DIVERGENCE_EXPECTATIONS = [columnKlDivergenceToBeLessThan];
