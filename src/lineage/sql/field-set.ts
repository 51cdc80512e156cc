import type { DatasetName, InputField, Transformation } from "./lineage-types.js";
import { isFileName } from "./lineage-types.js";
import { compose, isNeutral, transformationKey } from "./transformations.js";

/** A key for a dataset: files and tables never collide, and names compare case-insensitively (DuckDB's rule). */
export function datasetKey(dataset: DatasetName): string {
  if (isFileName(dataset)) return `file:${dataset.file}`;
  return `table:${[dataset.catalog ?? "", dataset.schema ?? "", dataset.name].map((p) => p.toLowerCase()).join("\u0000")}`;
}

interface Entry {
  table: DatasetName;
  field: string;
  transformations: Map<string, Transformation>;
}

/**
 * Input fields with their transformations, in order of first appearance, each (dataset,
 * field) once and each transformation once per field: the value an expression, an output
 * column or the dataset-level lineage accumulates.
 */
export class FieldSet {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  add(table: DatasetName, field: string, transformation: Transformation): void {
    const key = `${datasetKey(table)}\u0001${field.toLowerCase()}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { table, field, transformations: new Map() };
      this.entries.set(key, entry);
    }
    const tKey = transformationKey(transformation);
    if (!entry.transformations.has(tKey)) entry.transformations.set(tKey, transformation);
  }

  /** Adds every field of `other`, each transformation composed under `outer` (as is when omitted). */
  addAll(other: FieldSet, outer?: Transformation): void {
    const neutral = outer === undefined || isNeutral(outer);
    for (const entry of other.entries.values()) {
      for (const t of entry.transformations.values()) {
        this.add(entry.table, entry.field, neutral ? t : compose(outer, t));
      }
    }
  }

  /** A copy with every transformation composed under `outer`. */
  under(outer: Transformation): FieldSet {
    const result = new FieldSet();
    result.addAll(this, outer);
    return result;
  }

  toInputFields(): InputField[] {
    return [...this.entries.values()].map((e) => ({
      table: e.table,
      field: e.field,
      transformations: [...e.transformations.values()].map((t) => ({ ...t })),
    }));
  }
}
