import type { Engine } from "../../engines/engine.js";
import type { FactModel } from "../model/define-fact.js";
import { modelTable } from "../model/define-warehouse.js";
import { FactLoadError } from "./fact-load-error.js";
import { isTimeType, type TimeType, timeOrdinalBounds, timeOrdinalSql } from "./time-ordinal-sql.js";

type DimensionKey = FactModel["dimensionKeys"][number];

/** Column names the lookup relations use, clear of any model column (model names are quoted anyway). */
export const VERSION_KEY = "_weir_version_key";
const FROM = "_weir_valid_from";
const TO = "_weir_valid_to";
export const naturalKeyAlias = (i: number) => `_weir_nk_${i}`;

/**
 * How one dimension key of a fact is looked up: a relation of the dimension's versions
 * (`versions`: natural key columns as `_weir_nk_<i>`, the surrogate key as
 * `_weir_version_key`) and the join condition against a fact relation aliased `fact`.
 *
 * As of a time (a type 2 dimension with `asOf`): each key's versions, ordered by effective
 * time, cover the whole time line — the first from -∞, each up to the next one's effective
 * time, the last to +∞ — so exactly one version matches any time: the version in effect
 * (effective <= t < expiry); before the key's first version, the first (an early-arriving
 * fact); after a closed last version (a hard-deleted key), that last version. The lookup
 * is then an equi-join on the natural key with a range filter, which both engines run as a
 * hash join (a key has few versions), and the same statement serves the load and the
 * repair. A key with no version matches nothing: the caller puts the unknown member there.
 *
 * Without a time (type 1, or no `asOf`): the key's latest version (the current one while
 * it is open). The unknown member's own row is never a match.
 */
export interface VersionLookup {
  versions: string;
  /** The ON condition joining `fact` (input column names) to the `versions` alias given. */
  on(versionsAlias: string, factAlias: string): string;
}

export function versionLookup(engine: Engine, fact: FactModel, key: DimensionKey): VersionLookup {
  const d = engine.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const dim = key.dimension;
  const table = d.quoteTable(modelTable(dim));
  const pairs = Object.entries(key.naturalKey);
  const nk = pairs.map(([, dimCol]) => q(dimCol));
  const nkSelect = pairs.map(([, dimCol], i) => `${q(dimCol)} AS ${q(naturalKeyAlias(i))}`);
  const notUnknown = dim.unknownMember ? ` WHERE ${q(dim.surrogateKey)} <> ${dim.unknownMember.key}` : "";
  const eqs = (v: string, f: string) =>
    pairs.map(([input], i) => `${f}.${q(input)} = ${v}.${q(naturalKeyAlias(i))}`).join(" AND ");
  const asOfType = key.asOf === undefined ? undefined : columnType(fact, key.asOf);

  if (dim.scdType === 2 && key.asOf !== undefined && asOfType !== undefined) {
    const asOf = key.asOf;
    const eff = q(dim.validity.from);
    const window = `OVER (PARTITION BY ${nk.join(", ")} ORDER BY ${eff}, ${q(dim.surrogateKey)})`;
    const { low, high } = timeOrdinalBounds(engine);
    const ordinal = timeOrdinalSql(engine, eff, dim.validity.type);
    const versions =
      `SELECT ${nkSelect.join(", ")}, ${q(dim.surrogateKey)} AS ${q(VERSION_KEY)}, ` +
      `CASE WHEN row_number() ${window} = 1 THEN ${low} ELSE ${ordinal} END AS ${q(FROM)}, ` +
      `COALESCE(lead(${ordinal}) ${window}, ${high}) AS ${q(TO)} FROM ${table}${notUnknown}`;
    return {
      versions,
      on: (v, f) => {
        const t = timeOrdinalSql(engine, `${f}.${q(asOf)}`, asOfType);
        return `${eqs(v, f)} AND ${v}.${q(FROM)} <= ${t} AND ${t} < ${v}.${q(TO)}`;
      },
    };
  }
  // The latest version per key (type 1 dimensions hold one row per key; the surrogate key
  // breaks ties so the choice never depends on row order).
  const order =
    dim.scdType === 2
      ? `${q(dim.validity.from)} DESC, ${q(dim.surrogateKey)} DESC`
      : `${q(dim.surrogateKey)} DESC`;
  const versions =
    `SELECT ${pairs.map((_, i) => q(naturalKeyAlias(i))).join(", ")}, ${q(VERSION_KEY)} FROM (` +
    `SELECT ${nkSelect.join(", ")}, ${q(dim.surrogateKey)} AS ${q(VERSION_KEY)}, ` +
    `row_number() OVER (PARTITION BY ${nk.join(", ")} ORDER BY ${order}) AS _weir_latest FROM ${table}${notUnknown}` +
    `) AS _weir_versions WHERE _weir_latest = 1`;
  return { versions, on: (v, f) => eqs(v, f) };
}

/** The type of an as-of column, checked to be a time. */
function columnType(fact: FactModel, column: string): TimeType {
  const type = fact.columns.find((c) => c.name === column)?.type;
  if (type === undefined || !isTimeType(type)) {
    throw new FactLoadError(
      `fact ${fact.name}: asOf column ${column} must be a date, timestamp or timestamptz, not ${type ?? "missing"}`,
      { table: fact.name, column },
    );
  }
  return type;
}
