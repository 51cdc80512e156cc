import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { PolicySecrets } from "../policies/policy-secrets.js";
import type { DatasetPolicy } from "../policies/policy-types.js";

/** A data subject to find or erase: every row whose `column` (or a column holding it) is `value`. */
export interface ErasureSubject {
  column: string;
  value: string;
}

/** What an erasure works on: an opened runtime's warehouse, lake and metadata store. */
export interface ErasureRuntime {
  /** The warehouse (DuckDB or PostgreSQL). */
  engine: Engine;
  lake: Lake;
  metadata: MetadataStore;
}

export type ErasureTargetKind = "lake" | "table" | "quarantine";

/**
 * How a column holds the subject: the value itself, its `hash` policy digest (keyed HMAC,
 * so it is computed from the value), or its `tokenize` policy token.
 */
export type ErasureMatch = "raw" | "hashed" | "tokenized";

/** A column of a dataset that holds the subject, with the rows that matched when it was searched. */
export interface ErasureTarget {
  /** weir's name: `dim_customers`, `quarantine.customers`, `lake.raw.customers`. */
  dataset: string;
  kind: ErasureTargetKind;
  /** The column; for a quarantine table, the field of the JSON `record`. */
  column: string;
  match: ErasureMatch;
  /** Rows holding the subject in this column, counted when the plan was made. */
  rows: number;
  /** Lake datasets: the partitions (folders) holding those rows. */
  partitions?: string[];
}

/** A column that carries the subject in a form no search can match, or a dataset weir cannot reach. */
export interface NotSearchable {
  dataset: string;
  column: string;
  reason: string;
}

/** Where a subject is, found through lineage and the recorded policies; nothing is changed. */
export interface ErasurePlan {
  /** The subject, named by its column and a digest of its value (never the value). */
  subject: { column: string; digest: string };
  /** Every column found holding the subject (only those with rows). */
  targets: ErasureTarget[];
  /** Vault tokens of the subject that are not tombstoned yet. */
  tokens: string[];
  notSearchable: NotSearchable[];
  /** Every dataset searched (weir names), found or not. */
  searched: string[];
}

export interface ErasureSearchOptions {
  /** The hash and token keys (default `WEIR_PII_HASH_KEY` and `WEIR_TOKEN_KEY`, read when needed). */
  secrets?: PolicySecrets;
  /** Policies to follow besides those recorded in the metadata store (`policy_state`). */
  policies?: readonly DatasetPolicy[];
  /**
   * Tables (by weir name) whose rows are versions of one entity, with the columns naming it
   * (a type 2 dimension's natural key): every version of an entity with a matching row is
   * erased, including versions from before the subject's value changed.
   */
  entityKeys?: Readonly<Record<string, readonly string[]>>;
}

/** What an erasure removed (or, dry, would remove) from one dataset. */
export interface ErasedDataset {
  dataset: string;
  kind: ErasureTargetKind;
  columns: string[];
  matches: ErasureMatch[];
  rows: number;
  /** Lake datasets: the partitions rewritten. */
  partitions?: string[];
}

export interface ErasureReport {
  /** The erasure's id in the `erasures` table. */
  id: string;
  subject: { column: string; digest: string };
  dryRun: boolean;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string;
  /** Per dataset: rows removed (a dry run: rows that would be removed). */
  datasets: ErasedDataset[];
  /** Total rows removed (or that would be). */
  rows: number;
  /** Tokens tombstoned (a dry run: to tombstone). */
  tokens: number;
  plan: ErasurePlan;
}
