import { resolve } from "node:path";
import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { LakeDataset } from "../../lake/lake-dataset.js";
import { splitTableLabel } from "../../lineage/capture/dataset-identity.js";
import { tableDataset } from "../../lineage/openlineage/dataset-naming.js";
import type { LineageDataset } from "../../lineage/store/lineage-records.js";
import type { ErasureRuntime, ErasureTargetKind } from "./erasure-types.js";

/** A dataset of this project's warehouse or lake that may hold the subject. */
export interface Candidate {
  /** weir's name. */
  dataset: string;
  kind: ErasureTargetKind;
  /** The engine its rows are read and deleted on: the warehouse, or the lake's DuckDB. */
  engine: Engine;
  table?: TableRef;
  lake?: LakeDataset;
  /** Its columns as they are now, each with whether it is text. */
  columns: Map<string, boolean>;
}

export interface Candidates {
  candidates: Candidate[];
  /** Lineage datasets outside the warehouse and the lake (sources, other databases): out of reach. */
  outside: LineageDataset[];
}

/** Per-run scratch tables (dropped when their run succeeds), named `staging.<pipeline>.<table>` by lineage. */
const STAGING = "staging.";

/**
 * The datasets an erasure searches: every lineage dataset in this runtime's warehouse
 * (its lineage namespace and name are those of a table there) or lake, and every committed
 * lake dataset, each with its live columns. Staging tables and tables that no longer exist
 * are left out; lineage datasets anywhere else are returned as `outside`.
 */
export async function erasureCandidates(
  runtime: ErasureRuntime,
  datasets: readonly LineageDataset[],
): Promise<Candidates> {
  const lakeIds = new Set((await runtime.lake.datasets()).map((d) => d.id));
  const tables = new Map<string, TableRef>();
  const outside: LineageDataset[] = [];
  for (const dataset of datasets) {
    const name = dataset.weirName;
    if (name?.startsWith(STAGING)) continue;
    if (name !== undefined && inLake(runtime, dataset, name)) lakeIds.add(name);
    else if (name !== undefined && inWarehouse(runtime.engine, dataset, name))
      tables.set(name, tableOf(name));
    else outside.push(dataset);
  }
  const candidates: Candidate[] = [];
  for (const id of [...lakeIds].sort()) {
    const lake = runtime.lake.dataset(id);
    const manifest = await lake.manifest();
    if (!manifest || manifest.files.length === 0) continue;
    const columns = new Map(manifest.schema.map((c) => [c.name, c.type.toUpperCase() === "VARCHAR"]));
    candidates.push({ dataset: lake.id, kind: "lake", engine: lake.engine, lake, columns });
  }
  for (const [name, table] of [...tables].sort((a, b) => a[0].localeCompare(b[0]))) {
    const schema = await runtime.engine.describe(table);
    if (!schema) continue;
    const columns = new Map(schema.fields.map((f) => [f.name, f.type === "varchar"]));
    // `quarantine.<dataset>` keeps rejected rows whole, as JSON in `record`.
    const kind = table.schema === "quarantine" && columns.has("record") ? "quarantine" : "table";
    candidates.push({ dataset: name, kind, engine: runtime.engine, table, columns });
  }
  return { candidates, outside };
}

function inLake(runtime: ErasureRuntime, dataset: LineageDataset, name: string): boolean {
  if (dataset.namespace !== "file" || !name.startsWith("lake.")) return false;
  try {
    return resolve(runtime.lake.dataset(name).dir) === resolve(dataset.name);
  } catch {
    return false; // not a lake dataset id
  }
}

function inWarehouse(engine: Engine, dataset: LineageDataset, name: string): boolean {
  const [schema, table] = splitTableLabel(name);
  const id = tableDataset(engine.kind, engine.location ?? ":memory:", schema, table);
  return id.namespace === dataset.namespace && id.name === dataset.name;
}

function tableOf(name: string): TableRef {
  const [schema, table] = splitTableLabel(name);
  return schema === undefined ? { name: table } : { schema, name: table };
}
