import type { ActivityRecord } from "../../core/activity-recorder.js";
import type { DatasetNote, NotedColumnSource, StatementEngine } from "../../core/activity-scope.js";
import { messageOf } from "../../core/errors.js";
import type { Engine } from "../../engines/engine.js";
import {
  type ColumnCatalog,
  type InputField,
  type StatementLineage,
  statementLineage,
  type TableName,
} from "../sql/column-lineage.js";
import {
  type DatasetIdentity,
  type IdentityContext,
  noteIdentity,
  pathIdentity,
  splitTableLabel,
  tableIdentity,
} from "./dataset-identity.js";
import type { ResolvedActivity, ResolvedDataset, ResolvedInputField } from "./lineage-model.js";

export interface ResolveContext extends IdentityContext {
  /** Engines by `Engine.location`, to describe tables (schemas, `SELECT *`). */
  engines: readonly Engine[];
}

/** Schemas that hold weir's bookkeeping or the engines' catalogs: never data lineage. */
const SYSTEM_SCHEMAS = /^(information_schema|pg_catalog|pg_toast|weir_.*|temp)$/i;
const SYSTEM_TABLES = /^(duckdb_.*|pg_.*|sqlite_.*)$/i;

/**
 * Turns what an attempt did (statements, dataset notes, assertions) into its inputs and
 * outputs with schema and column lineage. Statements that write (CREATE … AS, INSERT …
 * SELECT, COPY … TO) give outputs with lineage parsed from their SELECT; plain SELECTs
 * give inputs; notes from weir's own writers (lake, tables, warehouse loads, extracts)
 * give the rest. Never throws: what it cannot resolve becomes a warning.
 */
export async function resolveActivity(
  activity: ActivityRecord,
  ctx: ResolveContext,
): Promise<ResolvedActivity> {
  const r = new Resolution(ctx);
  for (const { engine, sql } of activity.statements) {
    await r.guard(`statement`, () => r.statement(engine, sql));
  }
  for (const note of activity.datasets) {
    await r.guard(`dataset ${note.name}`, () => r.note(note));
  }
  for (const a of activity.assertions) {
    const d = r.input(noteIdentity(a.dataset, ctx));
    d.assertions = [...(d.assertions ?? []), ...a.assertions];
    if (a.rowCount !== undefined) d.rowCount = a.rowCount;
  }
  if (activity.statementsDropped > 0)
    r.warnings.push(`${activity.statementsDropped} statements beyond the first were not analysed`);
  await r.describeAll();
  // A dataset written by the attempt is its output, not also its input (a view read back)…
  const outputs = [...r.outputs.values()];
  const written = new Set(outputs.map(key));
  return {
    // …unless a suite checked it: quality assertions are an input facet.
    inputs: [...r.inputs.values()].filter((d) => !written.has(key(d)) || d.assertions !== undefined),
    outputs,
    sql: r.sql,
    warnings: r.warnings,
  };
}

const key = (d: { namespace: string; name: string }) => `${d.namespace}\u0000${d.name}`;

class Resolution {
  readonly inputs = new Map<string, ResolvedDataset>();
  readonly outputs = new Map<string, ResolvedDataset>();
  readonly sql: string[] = [];
  readonly warnings: string[] = [];
  /** Which engine (and table) each dataset is, to describe it afterwards. */
  private readonly tables = new Map<string, { engine: StatementEngine; schema?: string; name: string }>();

  constructor(private readonly ctx: ResolveContext) {}

  async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.warnings.push(`${what}: ${messageOf(error)}`);
    }
  }

  input(id: DatasetIdentity): ResolvedDataset {
    return upsert(this.inputs, id);
  }

  output(id: DatasetIdentity): ResolvedDataset {
    return upsert(this.outputs, id);
  }

  async statement(engine: StatementEngine, sql: string): Promise<void> {
    const lineage = await statementLineage(sql, this.catalog(engine));
    if (!lineage.parsed) return; // DDL, SET, PRAGMA…: no data flow.
    const inputs = lineage.inputs.filter((t) => !isSystem(t));
    if (lineage.kind === "select" || lineage.kind === "other") {
      for (const t of inputs) this.input(this.tableId(engine, t));
      return;
    }
    if (!lineage.target) return;
    const target = lineage.target;
    if ("file" in target) {
      // The lake's own commits are noted by the lake (with rows and files): skip its COPYs.
      const id = pathIdentity(target.file, this.ctx);
      if (id.weirName.startsWith("lake.")) return;
      this.applyLineage(this.output(id), engine, lineage);
    } else {
      if (isSystem(target)) return;
      this.applyLineage(this.output(this.tableId(engine, target)), engine, lineage);
    }
    for (const t of inputs) this.input(this.tableId(engine, t));
    this.sql.push(sql);
    if (lineage.reason) this.warnings.push(lineage.reason);
  }

  async note(note: DatasetNote): Promise<void> {
    const id = noteIdentity(note, this.ctx);
    if (note.kind === "table" && note.engine) {
      const [schema, name] = splitTableLabel(note.name);
      this.tables.set(key(id), { engine: note.engine, ...(schema ? { schema } : {}), name });
    }
    if (note.direction === "input") {
      // A query checked in place (a suite on SQL) is its SELECT's inputs, not a table.
      if (note.sourceSql && note.engine) {
        const lineage = await statementLineage(note.sourceSql, this.catalog(note.engine));
        for (const t of lineage.inputs.filter((x) => !isSystem(x))) this.input(this.tableId(note.engine, t));
        return;
      }
      this.input(id);
      return;
    }
    const out = this.output(id);
    if (note.rows !== undefined) out.rows = (out.rows ?? 0) + note.rows;
    if (note.bytes !== undefined) out.bytes = (out.bytes ?? 0) + note.bytes;
    if (note.files !== undefined) out.files = (out.files ?? 0) + note.files;
    const sourceEngine = note.sourceEngine ?? note.engine;
    if (note.sourceSql && sourceEngine) {
      const lineage = await statementLineage(note.sourceSql, this.catalog(sourceEngine));
      if (lineage.parsed) {
        this.applyLineage(out, sourceEngine, lineage);
        for (const t of lineage.inputs.filter((x) => !isSystem(x))) this.input(this.tableId(sourceEngine, t));
        this.sql.push(note.sourceSql);
      } else if (lineage.reason) {
        this.warnings.push(`${note.name}: ${lineage.reason}`);
      }
    }
    if (note.identityFrom) {
      const from = noteIdentity(note.identityFrom, this.ctx);
      this.input(from);
      out.identityFrom = from;
    }
    for (const [field, sources] of Object.entries(note.columns ?? {})) {
      out.columnLineage ??= {};
      out.columnLineage[field] = mergeFields(
        out.columnLineage[field] ?? [],
        sources.map((s) => this.notedSource(s)),
      );
    }
  }

  /** Fills fields (schemas) of tables, and identity column lineage where a note asked for it. */
  async describeAll(): Promise<void> {
    for (const [k, t] of this.tables) {
      const d = this.outputs.get(k) ?? this.inputs.get(k);
      if (!d || d.fields) continue;
      const engine = this.engineFor(t.engine);
      if (!engine) continue;
      const schema = await engine
        .describe(t.schema ? { schema: t.schema, name: t.name } : { name: t.name })
        .catch(() => undefined);
      if (schema) d.fields = schema.fields.map((f) => ({ name: f.name, type: f.type }));
    }
    for (const out of this.outputs.values()) {
      const from = out.identityFrom;
      if (!from) continue;
      delete out.identityFrom;
      const source = this.inputs.get(key(from));
      const names = out.fields?.map((f) => f.name) ?? source?.fields?.map((f) => f.name) ?? [];
      const known = source?.fields ? new Set(source.fields.map((f) => f.name)) : undefined;
      for (const name of names) {
        if (out.columnLineage?.[name]) continue;
        if (known && !known.has(name)) continue;
        out.columnLineage ??= {};
        out.columnLineage[name] = [
          { ...from, field: name, transformations: [{ type: "DIRECT", subtype: "IDENTITY" }] },
        ];
      }
    }
  }

  private applyLineage(out: ResolvedDataset, engine: StatementEngine, lineage: StatementLineage): void {
    const toResolved = (f: InputField): ResolvedInputField => ({
      ...this.tableId(engine, f.table),
      field: f.field,
      transformations: f.transformations.map((t) => ({
        type: t.type,
        subtype: t.subtype,
        ...(t.masking ? { masking: true } : {}),
      })),
    });
    for (const column of lineage.columns) {
      out.columnLineage ??= {};
      out.columnLineage[column.name] = mergeFields(
        out.columnLineage[column.name] ?? [],
        column.inputFields.filter((f) => !isSystem(f.table)).map(toResolved),
      );
    }
    if (lineage.datasetLevel.length > 0) {
      out.datasetLineage = mergeFields(
        out.datasetLineage ?? [],
        lineage.datasetLevel.filter((f) => !isSystem(f.table)).map(toResolved),
      );
    }
  }

  private notedSource(s: NotedColumnSource): ResolvedInputField {
    const id = noteIdentity(s.from, this.ctx);
    return {
      namespace: id.namespace,
      name: id.name,
      field: s.field,
      transformations: [{ type: s.type, subtype: s.subtype }],
    };
  }

  /** A table a statement names, or a file it reads (`read_parquet('…')`). */
  private tableId(engine: StatementEngine, t: TableName | { file: string }): DatasetIdentity {
    if ("file" in t) return pathIdentity(t.file, this.ctx);
    const id = tableIdentity(engine, { schema: t.schema, name: t.name }, this.ctx);
    const k = key(id);
    if (!this.tables.has(k))
      this.tables.set(k, { engine, ...(t.schema ? { schema: t.schema } : {}), name: t.name });
    return id;
  }

  private engineFor(e: StatementEngine): Engine | undefined {
    return this.ctx.engines.find(
      (x) => x.kind === e.kind && (x.location ?? ":memory:") === (e.location ?? ":memory:"),
    );
  }

  private catalog(e: StatementEngine): ColumnCatalog {
    const engine = this.engineFor(e);
    return {
      columnsOf: async (t) => {
        if (!engine || "file" in t) return undefined;
        const schema = await engine
          .describe(t.schema ? { schema: t.schema, name: t.name } : { name: t.name })
          .catch(() => undefined);
        return schema?.fields.map((f) => f.name);
      },
    };
  }
}

function isSystem(t: TableName | { file: string }): boolean {
  if ("file" in t) return false;
  return (t.schema !== undefined && SYSTEM_SCHEMAS.test(t.schema)) || SYSTEM_TABLES.test(t.name);
}

function upsert(map: Map<string, ResolvedDataset>, id: DatasetIdentity): ResolvedDataset {
  const k = key(id);
  let d = map.get(k);
  if (!d) {
    d = { namespace: id.namespace, name: id.name, weirName: id.weirName };
    map.set(k, d);
  }
  return d;
}

/** Input fields of one output field, each (dataset, field) once with its transformations merged. */
function mergeFields(a: ResolvedInputField[], b: ResolvedInputField[]): ResolvedInputField[] {
  const out = new Map<string, ResolvedInputField>();
  for (const f of [...a, ...b]) {
    const k = `${f.namespace}\u0000${f.name}\u0000${f.field}`;
    const seen = out.get(k);
    if (!seen) {
      out.set(k, { ...f, transformations: [...f.transformations] });
      continue;
    }
    for (const t of f.transformations) {
      if (!seen.transformations.some((s) => s.type === t.type && s.subtype === t.subtype))
        seen.transformations.push(t);
    }
  }
  return [...out.values()];
}
