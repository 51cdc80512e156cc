import { datasetKey } from "./field-set.js";
import type { DatasetName, SyncColumnCatalog } from "./lineage-types.js";

/** How output columns without an alias are named: DuckDB names them by their text, PostgreSQL by FigureColname. */
export type SqlDialectName = "duckdb" | "postgres";

export interface SelectLineageOptions {
  /** Whose naming rules apply to unaliased output columns (default `duckdb`). */
  dialect?: SqlDialectName;
  /** More function names (lower case) whose result masks their input, e.g. a project's own hashing UDF. */
  maskingFunctions?: Iterable<string>;
}

/** What one statement's lineage walk shares: the catalog, the inputs read and the notes on what could not be traced. */
export class LineageContext {
  readonly dialect: SqlDialectName;
  readonly maskingFunctions: ReadonlySet<string>;
  private readonly inputs = new Map<string, DatasetName>();
  private readonly notes = new Set<string>();
  private readonly columnsCache = new Map<string, readonly string[] | undefined>();

  constructor(
    private readonly catalog: SyncColumnCatalog | undefined,
    options: SelectLineageOptions = {},
  ) {
    this.dialect = options.dialect ?? "duckdb";
    this.maskingFunctions = new Set([...(options.maskingFunctions ?? [])].map((n) => n.toLowerCase()));
  }

  /** Records a dataset as read by the statement. */
  read(dataset: DatasetName): void {
    const key = datasetKey(dataset);
    if (!this.inputs.has(key)) this.inputs.set(key, dataset);
  }

  /** The catalog's columns of a dataset (asked once per dataset). */
  columnsOf(dataset: DatasetName): readonly string[] | undefined {
    const key = datasetKey(dataset);
    if (!this.columnsCache.has(key)) {
      let columns: readonly string[] | undefined;
      try {
        columns = this.catalog?.columnsOf(dataset);
      } catch {
        columns = undefined;
      }
      this.columnsCache.set(key, Array.isArray(columns) ? columns : undefined);
    }
    return this.columnsCache.get(key);
  }

  /** Notes something the lineage could not trace; the statement's `reason` lists them. */
  note(message: string): void {
    this.notes.add(message);
  }

  readInputs(): DatasetName[] {
    return [...this.inputs.values()];
  }

  readNotes(): string[] {
    return [...this.notes];
  }
}
