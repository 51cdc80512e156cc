import { isAbsolute, relative, resolve, sep } from "node:path";
import type { DatasetNote, StatementEngine } from "../../core/activity-scope.js";
import { fileDataset, sourceDataset, tableDataset } from "../openlineage/dataset-naming.js";

/** What naming a dataset needs to know about the unit of work around it. */
export interface IdentityContext {
  /** The lake's root folder: files under `<root>/<zone>/<name>/` belong to `lake.<zone>.<name>`. */
  lakeRoot: string;
  /** The pipeline whose staging tables these are (`staging_<run>` → `staging.<pipeline>`). */
  pipeline?: string;
}

export interface DatasetIdentity {
  namespace: string;
  name: string;
  weirName: string;
}

const STAGING = /^staging_[a-z0-9_]+$/;

/**
 * A run's staging schema is `staging_<run id>`: a new name every run. Lineage names it
 * `staging.<pipeline>` instead, so every run's `customers_derived` is one dataset with a
 * history, not one dataset per run.
 */
export function stableSchema(schema: string | undefined, ctx: IdentityContext): string | undefined {
  if (schema && STAGING.test(schema)) return ctx.pipeline ? `staging.${ctx.pipeline}` : "staging";
  return schema;
}

/** The identity of a table on an engine (`schema.table` or `table`, as weir writes it). */
export function tableIdentity(
  engine: StatementEngine,
  table: { schema?: string | undefined; name: string },
  ctx: IdentityContext,
): DatasetIdentity {
  const schema = stableSchema(table.schema, ctx);
  const weirName = schema ? `${schema}.${table.name}` : table.name;
  const id = tableDataset(engine.kind, engine.location ?? ":memory:", schema, table.name);
  return { ...id, weirName };
}

/** A file or folder: the lake dataset it lies in, or the file itself. */
export function pathIdentity(path: string, ctx: IdentityContext): DatasetIdentity {
  const abs = resolve(path);
  const rel = relative(resolve(ctx.lakeRoot), abs);
  if (rel && !rel.startsWith("..") && !isAbsolute(rel)) {
    const [zone, name] = rel.split(sep);
    if (zone && name) {
      const dir = resolve(ctx.lakeRoot, zone, name);
      return { ...fileDataset(dir), weirName: `lake.${zone}.${name}` };
    }
  }
  return { ...fileDataset(abs), weirName: abs };
}

/** The identity of what a note names. */
export function noteIdentity(
  note: Pick<DatasetNote, "kind" | "name" | "location" | "engine">,
  ctx: IdentityContext,
): DatasetIdentity {
  switch (note.kind) {
    case "lake":
      return { ...fileDataset(resolve(note.location ?? note.name)), weirName: note.name };
    case "file":
      return pathIdentity(note.location ?? note.name, ctx);
    case "source":
      return { ...sourceDataset(note.location ?? note.name), weirName: note.name };
    case "table": {
      const [schema, name] = splitTableLabel(note.name);
      return tableIdentity(note.engine ?? { kind: "duckdb" }, { schema, name }, ctx);
    }
  }
}

/** `a.b` → ["a", "b"]; `b` → [undefined, "b"]. Quoted labels are not produced by weir's `tableLabel`. */
export function splitTableLabel(label: string): [string | undefined, string] {
  const dot = label.lastIndexOf(".");
  return dot < 0 ? [undefined, label] : [label.slice(0, dot), label.slice(dot + 1)];
}
