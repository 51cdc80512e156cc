import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What weir's code did during one unit of work (a task attempt, a quality run, a stream
 * epoch), reported to whoever watches that unit — lineage, today. The watcher is carried
 * by `AsyncLocalStorage`, so engines, the lake and connectors report without being handed
 * a collector through every signature, and without importing lineage (`core/` is below
 * them all). Outside a watched scope every call is a no-op costing one lookup.
 */
export interface ActivityObserver {
  /** One SQL statement an engine is about to run. */
  statement?(engine: StatementEngine, sql: string): void;
  /** A dataset weir's own code read or wrote, with what only that code knows. */
  dataset?(note: DatasetNote): void;
  /** A quality suite's results on a dataset. */
  assertions?(note: AssertionNote): void;
}

/** The engine a statement runs on: which kind, and where its data is (see `Engine.location`). */
export interface StatementEngine {
  readonly kind: "duckdb" | "postgres";
  readonly location?: string | undefined;
}

/** A field of a dataset's schema as lineage reports it. */
export interface NotedField {
  name: string;
  type: string;
}

/**
 * A dataset read or written by weir's own code. `name` is weir's name for it
 * (`lake.raw.customers`, `staging_<run>.customers`, `dim_customers`, a source's location).
 */
export interface DatasetNote {
  direction: "input" | "output";
  kind: "lake" | "table" | "source" | "file";
  name: string;
  /** The engine holding a table (`kind: "table"`). */
  engine?: StatementEngine;
  /** A lake dataset's directory, a file's path, a source's URL. */
  location?: string;
  fields?: readonly NotedField[];
  rows?: number;
  bytes?: number;
  files?: number;
  /**
   * The SELECT whose rows were written (outputs): its column lineage is the output's. Run on
   * `engine`.
   */
  sourceSql?: string;
  /** The engine `sourceSql` runs on, when not `engine` (a write across engines). */
  sourceEngine?: StatementEngine;
  /**
   * Column lineage weir's code knows without parsing (a fact's surrogate key from its
   * dimension): output field → where it comes from. Fields not listed fall back to
   * `sourceSql` / `identityFrom`.
   */
  columns?: Record<string, NotedColumnSource[]>;
  /** Written field ← read field by name, unchanged (an extract, a copy). */
  identityFrom?: { kind: DatasetNote["kind"]; name: string; location?: string; engine?: StatementEngine };
}

/** One input field of an output field, as `DatasetNote.columns` lists them. */
export interface NotedColumnSource {
  from: { kind: DatasetNote["kind"]; name: string; location?: string; engine?: StatementEngine };
  field: string;
  type: "DIRECT" | "INDIRECT";
  subtype:
    | "IDENTITY"
    | "TRANSFORMATION"
    | "AGGREGATION"
    | "JOIN"
    | "FILTER"
    | "GROUP_BY"
    | "SORT"
    | "WINDOW"
    | "CONDITIONAL";
}

/**
 * One scope per process, kept on `globalThis`: a pipeline file is loaded by tsx's
 * `tsImport`, which gives it its own copy of weir's modules — a module-level scope would
 * then be two scopes, and the pipeline's writes (through its copy) would go unseen.
 */
const SCOPE_KEY = Symbol.for("weir.activity-scope");
const scope = sharedScope();

function sharedScope(): AsyncLocalStorage<ActivityObserver> {
  const global = globalThis as Record<symbol, AsyncLocalStorage<ActivityObserver> | undefined>;
  const existing = global[SCOPE_KEY];
  if (existing) return existing;
  const created = new AsyncLocalStorage<ActivityObserver>();
  global[SCOPE_KEY] = created;
  return created;
}

/** Runs `fn` with `observer` watching every statement and dataset note made inside it. */
export function observeActivity<T>(observer: ActivityObserver, fn: () => T): T {
  return scope.run(observer, fn);
}

/** Runs `fn` unwatched (weir's own bookkeeping statements that are not the task's data flow). */
export function withoutObserver<T>(fn: () => T): T {
  return scope.exit(fn);
}

export function noteStatement(engine: StatementEngine, sql: string): void {
  scope.getStore()?.statement?.(engine, sql);
}

export function noteDataset(note: DatasetNote): void {
  scope.getStore()?.dataset?.(note);
}

export function noteAssertions(note: AssertionNote): void {
  scope.getStore()?.assertions?.(note);
}

/** Quality assertions a suite evaluated on a dataset (OpenLineage's dataQualityAssertions). */
export interface AssertionNote {
  /** The dataset checked, as a note (`direction: "input"`). */
  dataset: DatasetNote;
  assertions: { assertion: string; success: boolean; column?: string }[];
  rowCount?: number;
}
