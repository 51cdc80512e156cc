import type { EngineKind } from "../../engines/engine.js";

/**
 * The SQL expectations need whose spelling differs between DuckDB and PostgreSQL, as
 * data (one row per engine), in the manner of `../engine-sql.ts`. Everything else the
 * compiler writes is SQL both engines read the same way.
 */
export interface ExpectationSql {
  /** True when `regex` matches anywhere in `value` (GX's `re.search`); `lit` quotes text. */
  regexSearch(value: string, regex: string, lit: (text: string) => string): string;
  /** True when `regex` matches the whole of `value`. */
  regexFullMatch(value: string, regex: string, lit: (text: string) => string): string;
  /** The `group`-th (1-based) capture of `pattern` (a SQL literal) in `value`, as text; NULL when it does not match. */
  regexGroup(value: string, pattern: string, group: number): string;
  /** True when the text `value` equals one of `literals` (quoted SQL strings, at least one); NULL for NULL. */
  textInSet(value: string, literals: readonly string[]): string;
  /** True when `value` is strict JSON (RFC 8259): no trailing commas, NaN or comments. */
  jsonValid(value: string): string;
  /** Type name for `CAST(… AS ?)` to a 64-bit float. */
  double: string;
  /** Type name for `CAST(… AS ?)` to an integer wide enough for exact sums of squares of BIGINTs. */
  wideInteger: string;
  /**
   * The discrete quantiles `qs` (0..1) of `value` over the rows where `filter` holds (SQL or
   * undefined), as a JSON array (text): one aggregate, so the values are sorted once.
   */
  quantilesDiscJson(value: string, qs: readonly number[], filter: string | undefined): string;
  /** The continuous (interpolated) quantile `q` of `value`. */
  quantileCont(value: string, q: number, filter: string | undefined): string;
  /** An ORDER BY key for a text expression sorting by code point (binary), like DuckDB's default. */
  binaryOrder(textValue: string): string;
  /**
   * An aggregate returning JSON (as text) of the first `n` rows where `filter` holds, in
   * ascending order of `orderKey` (the row position), each row's `values` as text: an array
   * per row (`firstRowsLayout` "rows") or an array per value (`"columns"`). NULL when no row
   * qualifies. Written without lambdas or struct fields, so no column can capture a name.
   */
  firstRowsJson(values: readonly string[], orderKey: string, filter: string, n: number): string;
  firstRowsLayout: "rows" | "columns";
  /**
   * Whether a table's first failing rows are better found by position: the main scan keeps
   * only their row ids (`firstPositionsJson`), and one lookup by id reads their values.
   */
  lookupByRowId: boolean;
  /**
   * Whether a table's first failing rows are found after the main scan, block range by block
   * range from the start of the table (`firstRowsInRange`), for the expectations that had
   * failing rows, rather than by ordered aggregates in the scan: PostgreSQL cannot run an
   * ordered aggregate in parallel workers, and one in the scan makes the whole scan serial.
   */
  firstRowsByBlockRange: boolean;
  /**
   * The rows of table `from` in blocks [`fromBlock`, `toBlock`) (no upper bound when
   * undefined), with their row position as the column `position`.
   */
  blockRange(from: string, position: string, fromBlock: number, toBlock: number | undefined): string;
  /** A statement returning the table's size in blocks as `blocks`. */
  tableBlocks(tableLiteral: string): string;
  /** An aggregate returning a JSON array of the `n` smallest `position`s where `filter` holds. */
  firstPositionsJson(position: string, filter: string, n: number): string;
  /** A statement reading `values` (as text, aliased v0…) of the rows whose row id is in `ids`. */
  rowsById(from: string, values: readonly string[], ids: readonly string[]): string;
  /**
   * An aggregate returning a JSON array (as text) of the `n` smallest rows where `filter`
   * holds, in ascending order of `values` (lexicographic for several), each row rendered as
   * its values' text (one text per row, or an array of texts when several). NULL when no row
   * qualifies. `orderKeys` are `values` as ORDER BY keys (text keys already binary-ordered).
   */
  smallestValuesJson(
    values: readonly string[],
    orderKeys: readonly string[],
    filter: string,
    n: number,
  ): string;
  /** The engine's name for the type of `value` (`typeof`, `pg_typeof`), as text. */
  typeName(value: string): string;
  /** The pseudo-column giving a table's rows in insertion order, for increasing/decreasing without `order_by`. */
  naturalOrder: string;
  /**
   * Appended to a subquery whose computed columns must be evaluated once per row rather
   * than copied into every expression of the outer query that reads them.
   */
  fence: string;
}

const filterClause = (filter: string | undefined) =>
  filter === undefined ? "" : ` FILTER (WHERE ${filter})`;
const asText = (v: string) => `CAST(${v} AS VARCHAR)`;

export const EXPECTATION_SQL: Record<EngineKind, ExpectationSql> = {
  duckdb: {
    // A search is run as a full match of `.*(?:regex).*` (the same language: ^ and $ still
    // mean the text's ends): DuckDB's full match is much faster, and on dictionary-encoded
    // columns it runs once per distinct value. (?s) makes `.` match a newline, as in PostgreSQL.
    regexSearch: (value, regex, lit) => `regexp_full_match(${value}, ${lit(`(?s:.*)(?s:${regex})(?s:.*)`)})`,
    regexFullMatch: (value, regex, lit) => `regexp_full_match(${value}, ${lit(`(?s:${regex})`)})`,
    regexGroup: (value, pattern, group) =>
      `CASE WHEN regexp_matches(${value}, ${pattern}) THEN regexp_extract(${value}, ${pattern}, ${group}) END`,
    // list_contains probes a hash set per row (and once per distinct value of a dictionary
    // column); IN compares against each member in turn.
    textInSet: (value, literals) => `list_contains([${literals.join(", ")}], ${value})`,
    // DuckDB's reader accepts trailing commas and NaN/Infinity; PostgreSQL does not. Outside
    // string literals, strict JSON has no letters but true/false/null and exponents, and no
    // comma before a closing bracket, so those are rejected after blanking out the strings
    // and turning the literals into a digit.
    jsonValid: (value) =>
      `(json_valid(${value}) AND NOT regexp_matches(regexp_replace(regexp_replace(${value}, '"(?:[^"\\\\]|\\\\.)*"', '""', 'g'), 'true|false|null', '0', 'g'), ',\\s*[\\]}]|[a-df-zA-DF-Z]|[^0-9.][eE]'))`,
    double: "DOUBLE",
    wideInteger: "HUGEINT",
    quantilesDiscJson: (value, qs, filter) =>
      `to_json(quantile_disc(${value}, [${qs.join(", ")}])${filterClause(filter)})`,
    quantileCont: (value, q, filter) => `quantile_cont(${value}, ${q})${filterClause(filter)}`,
    binaryOrder: (textValue) => textValue,
    // One `arg_min_nulls_last` per value keeps the n first rows' values, NULLs included (min_by
    // would skip them and misalign the columns); each list is cast to text once, not per row.
    firstRowsJson: (values, orderKey, filter, n) =>
      `to_json([${values.map((v) => `CAST(arg_min_nulls_last(${v}, ${orderKey}, ${n}) FILTER (WHERE ${filter}) AS VARCHAR[])`).join(", ")}])`,
    firstRowsLayout: "columns",
    // Keeping n row ids costs what counting does; reading values in the scan would cost several
    // times more (an aggregate's arguments are computed for every row, before FILTER).
    lookupByRowId: true,
    firstRowsByBlockRange: false,
    blockRange: () => {
      throw new Error("duckdb looks first rows up by row id");
    },
    tableBlocks: () => {
      throw new Error("duckdb looks first rows up by row id");
    },
    firstPositionsJson: (position, filter, n) => `to_json(min(${position}, ${n}) FILTER (WHERE ${filter}))`,
    // `rowid = ANY([…])` is pushed into the scan: the ids are looked up, not scanned for.
    rowsById: (from, values, ids) =>
      `SELECT rowid AS "weir_row"${values.map((v, i) => `, ${asText(v)} AS "v${i}"`).join("")} FROM ${from} WHERE rowid = ANY([${ids.join(", ")}])`,
    // `min_by(x, key, n)` keeps the n smallest keys; a struct key orders field by field.
    smallestValuesJson: (values, _orderKeys, filter, n) => {
      const texts = values.length === 1 ? asText(values[0]!) : `[${values.map(asText).join(", ")}]`;
      const key =
        values.length === 1 ? values[0]! : `struct_pack(${values.map((v, i) => `v${i} := ${v}`).join(", ")})`;
      return `to_json(min_by(CASE WHEN ${filter} THEN ${texts} END, ${key}, ${n}) FILTER (WHERE ${filter}))`;
    },
    typeName: (value) => `typeof(${value})`,
    naturalOrder: "rowid",
    fence: "",
  },
  postgres: {
    regexSearch: (value, regex, lit) => `(${value} ~ ${lit(regex)})`,
    regexFullMatch: (value, regex, lit) => `(${value} ~ ${lit(`^(?:${regex})$`)})`,
    regexGroup: (value, pattern, group) => `(regexp_match(${value}, ${pattern}))[${group}]`,
    textInSet: (value, literals) => `${value} IN (${literals.join(", ")})`,
    // PostgreSQL 15 has no pg_input_is_valid; weir_is_json (installed by prepareExpectationSql) casts and catches.
    jsonValid: (value) => `weir.weir_is_json(${value})`,
    double: "DOUBLE PRECISION",
    wideInteger: "NUMERIC",
    quantilesDiscJson: (value, qs, filter) =>
      `array_to_json(percentile_disc(ARRAY[${qs.join(", ")}]::float8[]) WITHIN GROUP (ORDER BY ${value})${filterClause(filter)})`,
    quantileCont: (value, q, filter) =>
      `percentile_cont(${q}) WITHIN GROUP (ORDER BY ${value})${filterClause(filter)}`,
    binaryOrder: (textValue) => `${textValue} COLLATE "C"`,
    // No bounded "first n" aggregate: every failing row is collected, sorted, then cut. FILTER
    // is applied before the arguments are computed, so only failing rows are rendered.
    firstRowsJson: (values, orderKey, filter, n) =>
      `array_to_json((array_agg(json_build_array(${values.map(asText).join(", ")}) ORDER BY ${orderKey}) FILTER (WHERE ${filter}))[1:${n}])`,
    firstRowsLayout: "rows",
    lookupByRowId: false,
    firstRowsByBlockRange: true,
    // A TID range scan (PostgreSQL 14+) reads only those blocks.
    blockRange: (from, position, fromBlock, toBlock) =>
      `(SELECT *, ctid AS ${position} FROM ${from} WHERE ctid >= '(${fromBlock},0)'::tid${toBlock === undefined ? "" : ` AND ctid < '(${toBlock},0)'::tid`}) AS weir_numbered`,
    tableBlocks: (tableLiteral) =>
      `SELECT pg_relation_size(${tableLiteral}::regclass) / current_setting('block_size')::bigint AS "blocks"`,
    firstPositionsJson: () => {
      throw new Error("postgres reads first rows in the scan");
    },
    rowsById: () => {
      throw new Error("postgres reads first rows in the scan");
    },
    smallestValuesJson: (values, orderKeys, filter, n) => {
      const row =
        values.length === 1 ? asText(values[0]!) : `json_build_array(${values.map(asText).join(", ")})`;
      return `array_to_json((array_agg(${row} ORDER BY ${orderKeys.join(", ")}) FILTER (WHERE ${filter}))[1:${n}])`;
    },
    typeName: (value) => `CAST(pg_typeof(${value}) AS TEXT)`,
    naturalOrder: "ctid",
    // The planner pulls simple subqueries up into the outer query; OFFSET 0 keeps this one.
    fence: " OFFSET 0",
  },
};
