import { registerSecretValue, type Secret } from "../../config/secret.js";
import { ConfigError } from "../../core/errors.js";
import { datasetLabel } from "../../lineage/store/dataset-label.js";
import { LineageStore } from "../../lineage/store/lineage-store.js";
import { closest } from "../../lineage/store/resolve-dataset.js";
import { placeholders, type SqlDatabase } from "../../metadata/sql-database.js";
import { storeDatabase } from "../audit/store-database.js";
import { piiDigest, tokenOf } from "../policies/pii-digest.js";
import { hashKeyOf, type PolicySecrets, tokenKeyOf } from "../policies/policy-secrets.js";
import type { HashNormalization } from "../policies/policy-types.js";
import { TOKEN_KEY_VARIABLE } from "../vault/token-key.js";
import { type Candidate, erasureCandidates } from "./erasure-candidates.js";
import { anyOf, type Condition, columnIn, recordFieldIn, SqlParams, sameEntity } from "./erasure-sql.js";
import type {
  ErasureMatch,
  ErasurePlan,
  ErasureRuntime,
  ErasureSearchOptions,
  ErasureSubject,
  ErasureTarget,
  NotSearchable,
} from "./erasure-types.js";
import { readStoredPolicies } from "./stored-policies.js";
import { findSubjectColumns, type SubjectColumns } from "./subject-columns.js";
import { subjectDigest } from "./subject-digest.js";

/** A dataset holding the subject, with the condition that finds its rows. */
export interface FoundDataset {
  candidate: Candidate;
  targets: ErasureTarget[];
  /** Any target's rows (every version of an entity, for `entityKeys` tables). */
  condition: Condition;
  /** Its columns holding tokens: those of the subject's rows are tombstoned. */
  tokenColumns: string[];
}

/** A plan and what executing it needs. */
export interface SubjectSearch {
  plan: ErasurePlan;
  found: FoundDataset[];
}

/**
 * Finds where a data subject is, changing nothing: lineage (every dataset whose fields
 * include the column, then IDENTITY column edges) and the recorded policies (`policy_state`:
 * a column's `hash` and `tokenize` outputs hold it as a digest or a token) name the columns;
 * every dataset of the warehouse and the lake having one is searched by counting matches,
 * with the values bound, never pasted. Masked and generalised columns, and datasets outside
 * the warehouse and lake (sources), are listed as not searchable. Tokens of the subject in
 * the vault (its own, and those in its rows' token columns) are listed for tombstoning.
 *
 * @example
 * const plan = await planErasure(runtime, { column: "email", value: "ann@example.com" });
 * for (const t of plan.targets) console.log(t.dataset, t.column, t.match, t.rows);
 */
export async function planErasure(
  runtime: ErasureRuntime,
  subject: ErasureSubject,
  options: ErasureSearchOptions = {},
): Promise<ErasurePlan> {
  return (await searchSubject(runtime, subject, options)).plan;
}

/** `planErasure`, keeping the conditions `eraseSubject` deletes by. */
export async function searchSubject(
  runtime: ErasureRuntime,
  subject: ErasureSubject,
  options: ErasureSearchOptions = {},
): Promise<SubjectSearch> {
  checkSubject(subject);
  // Personal data: scrubbed from anything printed or stored, should an error quote it.
  registerSecretValue("erasure subject", subject.value);
  const secrets = options.secrets ?? {};
  const db = storeDatabase(runtime.metadata);
  const lineage = new LineageStore(db);
  const policies = [...(await readStoredPolicies(db)), ...(options.policies ?? [])];
  const columns = await findSubjectColumns(lineage, subject.column, policies);
  const { candidates, outside } = await erasureCandidates(runtime, await lineage.datasets());
  checkColumnKnown(subject.column, columns, candidates);
  const values = new SubjectValues(subject.value, secrets);

  // A policy output named like its column (`phone: { mask: last4 }`) shares the name with
  // the raw value: where lineage carried the raw value unchanged (IDENTITY), it is raw there.
  const rawAt = new Set(
    columns.reached
      .filter((r) => r.heldAs.match === "raw")
      .map((r) => `${r.dataset.weirName}\u0000${r.field}`),
  );
  const found: FoundDataset[] = [];
  const notSearchable: NotSearchable[] = [];
  const tokens = new Set<string>();
  for (const candidate of candidates) {
    for (const [column, reason] of columns.unsearchable) {
      if (!candidate.columns.has(column) || candidate.kind === "quarantine") continue;
      if (rawAt.has(`${candidate.dataset}\u0000${column}`)) continue;
      notSearchable.push({ dataset: candidate.dataset, column, reason });
    }
    const dataset = await searchCandidate(candidate, columns, values, options);
    if (!dataset) continue;
    found.push(dataset);
    for (const token of await tokensIn(dataset)) tokens.add(token);
  }
  notSearchable.push(...outsideNotes(columns, outside));
  const own = values.ownToken(columns.tokenized.size > 0);
  if (own !== undefined) tokens.add(own);

  const plan: ErasurePlan = {
    subject: { column: subject.column, digest: subjectDigest(subject.value, secrets) },
    targets: found.flatMap((d) => d.targets),
    tokens: await liveTokens(db, [...tokens]),
    notSearchable,
    searched: candidates.map((c) => c.dataset),
  };
  return { plan, found };
}

function checkSubject(subject: ErasureSubject): void {
  if (typeof subject.column !== "string" || subject.column.trim() === "") {
    throw new ConfigError("an erasure subject needs a column");
  }
  if (typeof subject.value !== "string" || subject.value === "") {
    throw new ConfigError(`an erasure subject needs a value for ${subject.column}`, {
      details: { column: subject.column },
    });
  }
}

/**
 * Refuses a column no dataset has (lineage's fields, the live columns of the warehouse and
 * the lake): a misspelt column would otherwise "erase" nothing and report success.
 */
function checkColumnKnown(column: string, columns: SubjectColumns, candidates: readonly Candidate[]): void {
  if (columns.reached.length > 0 || candidates.some((c) => c.columns.has(column))) return;
  const close = closest(column, [...new Set(candidates.flatMap((c) => [...c.columns.keys()]))]);
  throw new ConfigError(
    `no dataset has a column "${column}" (searched lineage and ${candidates.length} datasets of the warehouse and lake)${close.length > 0 ? `; did you mean ${close.join(", ")}?` : ""}`,
    { details: { column, suggestions: close } },
  );
}

/** The forms the subject's value takes: itself, its digests, its token (keys read when first needed). */
class SubjectValues {
  private readonly digests = new Map<HashNormalization, string>();
  private hashKey: Secret | undefined;
  private tokenKey: Secret | undefined;

  constructor(
    readonly value: string,
    private readonly secrets: PolicySecrets,
  ) {}

  of(match: ErasureMatch, normalizations: Iterable<HashNormalization>, column: string): string[] {
    if (match === "raw") return [this.value];
    if (match === "tokenized") return [tokenOf(this.value, this.token(column))];
    this.hashKey ??= hashKeyOf(this.secrets, `erasing by the hashed column ${column}`);
    const key = this.hashKey;
    return [...new Set(normalizations)].map((n) => {
      if (!this.digests.has(n)) this.digests.set(n, piiDigest(this.value, key, n));
      return this.digests.get(n)!;
    });
  }

  /**
   * The token a `tokenize` policy gives the value: when a policy tokenizes the subject's
   * column (the key is then required), or whenever the token key is set (an older policy
   * may have tokenized it).
   */
  ownToken(required: boolean): string | undefined {
    const env = this.secrets.env ?? process.env;
    const available = this.secrets.tokenKey !== undefined || (env[TOKEN_KEY_VARIABLE] ?? "") !== "";
    if (!required && !available) return undefined;
    return tokenOf(this.value, this.token("the subject's token"));
  }

  private token(column: string): Secret {
    this.tokenKey ??= tokenKeyOf(this.secrets, `erasing by the tokenized column ${column}`);
    return this.tokenKey;
  }
}

/** The candidate's columns holding the subject, each with its condition and rows; undefined when none has rows. */
async function searchCandidate(
  candidate: Candidate,
  columns: SubjectColumns,
  values: SubjectValues,
  options: ErasureSearchOptions,
): Promise<FoundDataset | undefined> {
  const d = candidate.engine.dialect;
  const held: { column: string; match: ErasureMatch; normalizations: HashNormalization[] }[] = [];
  const names = candidate.kind === "quarantine" ? undefined : candidate.columns;
  const has = (column: string) => names === undefined || names.has(column);
  for (const column of columns.raw) if (has(column)) held.push({ column, match: "raw", normalizations: [] });
  for (const [column, normalizations] of columns.hashed) {
    if (has(column)) held.push({ column, match: "hashed", normalizations: [...normalizations] });
  }
  for (const column of columns.tokenized) {
    if (has(column)) held.push({ column, match: "tokenized", normalizations: [] });
  }
  const entity = entityOf(candidate, options);
  const targets: ErasureTarget[] = [];
  const conditions: Condition[] = [];
  for (const { column, match, normalizations } of held) {
    const matchValues = values.of(match, normalizations, column);
    const base =
      candidate.kind === "quarantine"
        ? recordFieldIn(d, "record", column, matchValues, match === "raw")
        : columnIn(d, column, candidate.columns.get(column) ?? false, matchValues);
    const condition = entity ? sameEntity(d, candidate.table!, entity, base) : base;
    const counted = await countRows(candidate, condition);
    if (counted.rows === 0) continue;
    targets.push({ dataset: candidate.dataset, kind: candidate.kind, column, match, ...counted });
    conditions.push(base);
  }
  if (targets.length === 0) return undefined;
  const any = anyOf(conditions);
  return {
    candidate,
    targets,
    condition: entity ? sameEntity(d, candidate.table!, entity, any) : any,
    tokenColumns:
      candidate.kind === "quarantine"
        ? []
        : [...columns.tokenColumns].filter((c) => candidate.columns.has(c)),
  };
}

/** The entity key of a table whose rows are versions (`entityKeys`), checked against its columns. */
function entityOf(candidate: Candidate, options: ErasureSearchOptions): readonly string[] | undefined {
  const keys = candidate.kind === "table" ? options.entityKeys?.[candidate.dataset] : undefined;
  if (keys === undefined || keys.length === 0) return undefined;
  const missing = keys.filter((k) => !candidate.columns.has(k));
  if (missing.length > 0) {
    throw new ConfigError(
      `entity key of ${candidate.dataset}: the table has no column ${missing.join(", ")} (columns: ${[...candidate.columns.keys()].join(", ")})`,
      { details: { dataset: candidate.dataset, missing } },
    );
  }
  return keys;
}

/** Rows matching `condition` (and, in the lake, the partitions holding them). */
export async function countRows(
  candidate: Candidate,
  condition: Condition,
): Promise<{ rows: number; partitions?: string[] }> {
  const params = new SqlParams();
  const where = condition(params);
  if (candidate.lake) {
    const dry = await candidate.lake.rewritePartitions(where, { params: params.values, dryRun: true });
    return { rows: dry.rowsRemoved, partitions: dry.partitions.map((p) => p.path || "(all)") };
  }
  const [row] = await candidate.engine.query<{ n: number | bigint | string }>(
    `SELECT count(*) AS n FROM ${candidate.engine.dialect.quoteTable(candidate.table!)} WHERE ${where}`,
    params.values,
  );
  return { rows: Number(row?.n ?? 0) };
}

/** The tokens in the token columns of the dataset's rows of the subject (read on `engine`, e.g. a transaction's). */
export async function tokensIn(dataset: FoundDataset, engine = dataset.candidate.engine): Promise<string[]> {
  const { candidate } = dataset;
  const d = engine.dialect;
  const from = candidate.lake ? await candidate.lake.scanSql() : d.quoteTable(candidate.table!);
  if (from === undefined) return [];
  const tokens: string[] = [];
  for (const column of dataset.tokenColumns) {
    const params = new SqlParams();
    const q = d.quoteIdent(column);
    const rows = await engine.query<{ token: unknown }>(
      `SELECT DISTINCT ${q} AS token FROM ${from} AS "_weir_rows" WHERE ${q} IS NOT NULL AND (${dataset.condition(params)})`,
      params.values,
    );
    for (const row of rows) tokens.push(String(row.token));
  }
  return tokens;
}

/** The tokens the vault holds and has not tombstoned yet. */
async function liveTokens(db: SqlDatabase, tokens: readonly string[]): Promise<string[]> {
  const live: string[] = [];
  for (let i = 0; i < tokens.length; i += 500) {
    const chunk = tokens.slice(i, i + 500);
    const rows = await db.all<{ token: string }>(
      `SELECT token FROM token_vault WHERE token IN (${placeholders(chunk.length)}) AND tombstoned_at IS NULL`,
      chunk,
    );
    live.push(...rows.map((r) => r.token));
  }
  return live.sort();
}

/** Datasets outside the warehouse and lake that lineage says hold the subject: erased elsewhere. */
function outsideNotes(
  columns: SubjectColumns,
  outside: readonly { namespace: string; name: string }[],
): NotSearchable[] {
  const away = new Set(outside.map((d) => `${d.namespace}\u0000${d.name}`));
  const notes = new Map<string, NotSearchable>();
  for (const { dataset, field, heldAs } of columns.reached) {
    if (heldAs.match === "unsearchable" || !away.has(`${dataset.namespace}\u0000${dataset.name}`)) continue;
    const label = datasetLabel(dataset);
    notes.set(`${label}\u0000${field}`, {
      dataset: label,
      column: field,
      reason: `outside this project's warehouse and lake (${dataset.namespace}): erase the subject there`,
    });
  }
  return [...notes.values()];
}
