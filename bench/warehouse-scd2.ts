/**
 * SCD2 part of the warehouse benchmark: 7 daily users snapshots merged into `dim_users`
 * by weir's `loadSnapshot` and, in the same run on the same engine, into a table of the
 * same model by hand-written SQL with the same semantics (one transaction per day):
 *
 *   1. close the current version of keys whose tracked columns changed (the stored row
 *      hash against the md5 of the snapshot row's tracked columns);
 *   2. close the current version of keys missing from the snapshot (hard deletes);
 *   3. insert a version for every snapshot key without a current version (new, changed,
 *      returning), surrogate keys = max(key) + row_number() in natural-key order.
 *
 * The hash expression is weir's canonical one (`rowHashSql`) so the two tables can be
 * compared row for row at the end (they must be equal). On PostgreSQL the hand side gets
 * the session settings weir uses (`work_mem` 128MB for the transaction, ANALYZE after a
 * load that adds ≥ 10% of the snapshot's rows). Weir also stages the snapshot, checks its
 * keys (no NULL, no duplicate) and hashes its whole content for the skip-if-same rule; the
 * hand side does none of that.
 *
 * Days alternate which side runs first. Day 0 (the first, 1M-row load into an empty table)
 * is reported apart; the ratio is the sum of days 1..6.
 */
import type { TableRef } from "../src/core/types.js";
import type { Engine } from "../src/engines/engine.js";
import type { DimensionModel } from "../src/warehouse/model/define-dimension.js";
import { loadSnapshot } from "../src/warehouse/scd/load-snapshot.js";
import { rowHashSql } from "../src/warehouse/scd/row-hash-sql.js";
import {
  DAYS,
  dateOfDay,
  loadSnapshotTable,
  rowDifference,
  tableOf,
  timed,
  usersCsv,
} from "./warehouse-setup.js";

export interface Scd2Times {
  engine: string;
  users: number;
  /** Per day, seconds. */
  weir: number[];
  hand: number[];
  /** Dimension rows after the last day. */
  rows: number;
}

/** Merges a staged snapshot into `dim` by hand (see the file comment). */
export async function handMerge(engine: Engine, dim: DimensionModel, snapshot: TableRef, asOf: string) {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const dimT = d.quoteTable(tableOf(dim));
  const snap = d.quoteTable(snapshot);
  const typeOf = new Map(dim.attributes.map((a) => [a.name, a.type]));
  const hash = rowHashSql(
    engine.kind,
    dim.tracked.map((c) => ({ sql: `s.${q(c)}`, type: typeOf.get(c)! })),
  );
  const nk = q(dim.naturalKey[0]!);
  const sk = q(dim.surrogateKey);
  const { from, to, current } = dim.validity;
  const unknown = dim.unknownMember?.key ?? -1;
  const asOfSql = "CAST($1 AS DATE)";
  const attrs = dim.attributes.map((a) => q(a.name));
  const order =
    engine.kind === "postgres" && typeOf.get(dim.naturalKey[0]!) === "varchar" ? ' COLLATE "C"' : "";
  return engine.transaction(async (tx) => {
    if (tx.kind === "postgres") await tx.run("SET LOCAL work_mem = '128MB'");
    await tx.run(
      `UPDATE ${dimT} AS d SET ${q(to)} = ${asOfSql}, ${q(current)} = FALSE FROM ${snap} AS s
       WHERE d.${nk} = s.${nk} AND d.${q(current)} AND d.${q(dim.hashColumn)} <> ${hash}`,
      [asOf],
    );
    await tx.run(
      `UPDATE ${dimT} AS d SET ${q(to)} = ${asOfSql}, ${q(current)} = FALSE
       WHERE d.${q(current)} AND d.${sk} <> ${unknown} AND NOT EXISTS (SELECT 1 FROM ${snap} AS s WHERE s.${nk} = d.${nk})`,
      [asOf],
    );
    const inserted = await tx.run(
      `INSERT INTO ${dimT} (${[sk, ...attrs, q(from), q(to), q(current), q(dim.hashColumn)].join(", ")})
       SELECT m.base + row_number() OVER (ORDER BY s.${nk}${order}), ${attrs.map((a) => `s.${a}`).join(", ")},
         ${asOfSql}, CAST(NULL AS DATE), TRUE, ${hash}
       FROM ${snap} AS s CROSS JOIN (SELECT greatest(coalesce(max(${sk}), 0), 0) AS base FROM ${dimT}) AS m
       WHERE NOT EXISTS (SELECT 1 FROM ${dimT} AS d WHERE d.${nk} = s.${nk} AND d.${q(current)})`,
      [asOf],
    );
    if (tx.kind === "postgres" && inserted * 10 >= 100_000) await tx.run(`ANALYZE ${dimT}`);
    return inserted;
  });
}

/**
 * Runs the 7 days on `engine` into the (existing, empty) tables of `weirDim` and `handDim`,
 * then checks they hold the same rows. `url` is the PostgreSQL URL psql loads snapshots with.
 */
export async function benchScd2(
  engine: Engine,
  schema: string,
  weirDim: DimensionModel,
  handDim: DimensionModel,
  users: number,
  options: { url?: string; log: (line: string) => void },
): Promise<Scd2Times> {
  const weir: number[] = [];
  const hand: number[] = [];
  const snapshot: TableRef = { schema, name: "users_snapshot" };
  for (let day = 0; day < DAYS; day++) {
    await loadSnapshotTable(engine, snapshot, await usersCsv(users, day), options.url);
    const asOf = dateOfDay(day);
    const runWeir = async () => {
      const t = await timed(() => loadSnapshot(engine, weirDim, snapshot, { asOf }));
      weir.push(t.seconds);
      return t.value;
    };
    const runHand = async () => {
      const t = await timed(() => handMerge(engine, handDim, snapshot, asOf));
      hand.push(t.seconds);
      return t.value;
    };
    let result: Awaited<ReturnType<typeof runWeir>>;
    if (day % 2 === 0) {
      result = await runWeir();
      await runHand();
    } else {
      await runHand();
      result = await runWeir();
    }
    options.log(
      `  ${engine.kind} day ${day} (${asOf}): weir ${weir[day]!.toFixed(2)} s, hand ${hand[day]!.toFixed(2)} s` +
        ` (new ${result.newKeys}, changed ${result.changed}, closed ${result.closed}, versions +${result.versionsInserted})`,
    );
  }
  await engine.run(engine.dialect.dropTable(snapshot));
  const columns = weirDim.columns.map((c) => c.name);
  const diff = await rowDifference(engine, tableOf(weirDim), tableOf(handDim), columns);
  if (diff !== 0)
    throw new Error(`scd2 on ${engine.kind}: weir's and the hand-written dimension differ in ${diff} rows`);
  const [r] = await engine.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM ${engine.dialect.quoteTable(tableOf(weirDim))}`,
  );
  return { engine: engine.kind, users, weir, hand, rows: Number(r!.n) };
}
