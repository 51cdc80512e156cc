/**
 * What a function name tells lineage: aggregates make AGGREGATION, masking functions set
 * `masking`, a few conditionals make CONDITIONAL. Names are DuckDB's and PostgreSQL's, lower
 * case, as DuckDB's parser writes them (`count(*)` is `count_star`).
 */

export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set([
  "any_value",
  "approx_count_distinct",
  "approx_quantile",
  "arbitrary",
  "arg_max",
  "arg_max_null",
  "arg_min",
  "arg_min_null",
  "argmax",
  "argmin",
  "array_agg",
  "avg",
  "bit_and",
  "bit_or",
  "bit_xor",
  "bitstring_agg",
  "bool_and",
  "bool_or",
  "corr",
  "count",
  "count_if",
  "count_star",
  "countif",
  "covar_pop",
  "covar_samp",
  "entropy",
  "every",
  "favg",
  "first",
  "fsum",
  "geomean",
  "geometric_mean",
  "group_concat",
  "histogram",
  "json_agg",
  "json_group_array",
  "json_group_object",
  "json_group_structure",
  "json_object_agg",
  "jsonb_agg",
  "jsonb_object_agg",
  "kahan_sum",
  "kurtosis",
  "kurtosis_pop",
  "last",
  "list",
  "listagg",
  "mad",
  "max",
  "max_by",
  "mean",
  "median",
  "min",
  "min_by",
  "mode",
  "percentile_cont",
  "percentile_disc",
  "product",
  "quantile",
  "quantile_cont",
  "quantile_disc",
  "regr_avgx",
  "regr_avgy",
  "regr_count",
  "regr_intercept",
  "regr_r2",
  "regr_slope",
  "regr_sxx",
  "regr_sxy",
  "regr_syy",
  "reservoir_quantile",
  "sem",
  "skewness",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "string_agg",
  "sum",
  "sum_no_overflow",
  "sumkahan",
  "var_pop",
  "var_samp",
  "variance",
  "weighted_avg",
  "xmlagg",
]);

/**
 * Aggregates whose result hides the values: OpenLineage's facet names `count` as the
 * example of a masking AGGREGATION.
 */
export const MASKING_AGGREGATES: ReadonlySet<string> = new Set([
  "approx_count_distinct",
  "count",
  "count_if",
  "count_star",
  "countif",
  "regr_count",
]);

/** Functions that obfuscate their argument: hashes, digests and weir's masking functions. */
export const MASKING_FUNCTIONS: ReadonlySet<string> = new Set([
  "crc32",
  "crypt",
  "digest",
  "hash",
  "hmac",
  "md5",
  "md5_number",
  "md5_number_lower",
  "md5_number_upper",
  "murmurhash3_32",
  "sha1",
  "sha224",
  "sha256",
  "sha384",
  "sha512",
  "xxhash",
  "xxhash32",
  "xxhash64",
]);

/** weir's masking functions (governance): `weir_mask_*`, `weir_hash*`, `weir_tokenize*`, `weir_redact*`. */
const WEIR_MASKING = /^weir_(mask|hash|tokeni[sz]e|redact|pseudonymi[sz]e)/;

export function isMaskingFunction(name: string, extra?: ReadonlySet<string>): boolean {
  return MASKING_FUNCTIONS.has(name) || WEIR_MASKING.test(name) || (extra?.has(name) ?? false);
}

/** Table functions that read files: their first argument is a path, a glob or a list of them. */
export const FILE_READERS: ReadonlySet<string> = new Set([
  "delta_scan",
  "iceberg_scan",
  "parquet_scan",
  "read_blob",
  "read_csv",
  "read_csv_auto",
  "read_json",
  "read_json_auto",
  "read_json_objects",
  "read_json_objects_auto",
  "read_ndjson",
  "read_ndjson_auto",
  "read_ndjson_objects",
  "read_parquet",
  "read_text",
  "sniff_csv",
]);

/**
 * Keywords DuckDB's parser hands over as column references (`CURRENT_TIMESTAMP`); a column
 * of that name is never guessed for a table of unknown columns.
 */
export const VALUE_KEYWORDS: ReadonlySet<string> = new Set([
  "current_catalog",
  "current_date",
  "current_role",
  "current_schema",
  "current_time",
  "current_timestamp",
  "current_user",
  "localtime",
  "localtimestamp",
  "session_user",
  "user",
]);

/** A replacement scan (`FROM 'data/x.parquet'`): a table name that is a file path. */
const FILE_PATH =
  /(^|[\\/])[^\\/]*\.(parquet|csv|tsv|json|jsonl|ndjson|txt)(\.(gz|gzip|zst|zstd))?$|[*?]|^[a-z0-9+]+:\/\//i;

export function looksLikeFile(tableName: string): boolean {
  return FILE_PATH.test(tableName) || tableName.includes("/");
}
