import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readManifest } from "../lake/manifest.js";
import { ZONES } from "../lake/zones.js";
import { datasetLabel } from "../lineage/store/dataset-label.js";
import type { LineageDataset } from "../lineage/store/lineage-records.js";
import { LineageStore } from "../lineage/store/lineage-store.js";
import { sqlDatabaseOf } from "../metadata/sql-database-of.js";
import type { ServerContext } from "./server-context.js";

export type DatasetKind = "lake" | "warehouse" | "source" | "other";

export interface DatasetSummary {
  name: string;
  kind: DatasetKind;
  namespace?: string;
  lastUpdatedAt?: string;
  qualityScore?: number;
}

export interface DatasetDetail extends DatasetSummary {
  columns: { name: string; type: string }[];
  partitions: { path?: string; key?: string; files?: number; rows?: number; bytes?: number }[];
}

/** How many of the newest quality checks are read for scores: enough to name each dataset's latest. */
const SCORE_CHECKS = 500;

/**
 * Every dataset the server can see, by name: lake datasets (their manifests), datasets named
 * by lineage events, and datasets quality checks ran on. Read from the metadata store and
 * the lake folder only (no engine is opened).
 */
export async function listDatasets(ctx: ServerContext): Promise<DatasetSummary[]> {
  const byName = new Map<string, DatasetSummary>();
  const add = (d: DatasetSummary) => {
    const known = byName.get(d.name);
    byName.set(d.name, known ? mergeSummary(known, d) : d);
  };
  for (const lake of await lakeDatasets(ctx)) add(lake.summary);
  for (const d of await lineageDatasets(ctx)) add(summaryOfLineage(d));
  const scores = await latestScores(ctx);
  for (const [name, score] of scores) add({ name, kind: kindOfName(name), ...score });
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** One dataset with its columns and (lake) partitions, or undefined. */
export async function datasetDetail(ctx: ServerContext, name: string): Promise<DatasetDetail | undefined> {
  const summary = (await listDatasets(ctx)).find((d) => d.name === name);
  if (!summary) return undefined;
  const lake = (await lakeDatasets(ctx)).find((d) => d.summary.name === name);
  const lineage = (await lineageDatasets(ctx)).find((d) => datasetLabel(d) === name);
  const columns =
    lake?.columns ??
    lineage?.schemaFields?.map((f) => ({ name: f.name, type: f.type ?? "unknown" })) ??
    (await ctx.store.quality.latestColumns(name)) ??
    [];
  return { ...summary, columns, partitions: lake?.partitions ?? [] };
}

interface LakeEntry {
  summary: DatasetSummary;
  columns: { name: string; type: string }[];
  partitions: DatasetDetail["partitions"];
}

async function lakeDatasets(ctx: ServerContext): Promise<LakeEntry[]> {
  const root = ctx.options.paths?.lake;
  if (!root) return [];
  const out: LakeEntry[] = [];
  for (const zone of ZONES) {
    const names = await readdir(join(root, zone)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const manifest = await readManifest(join(root, zone, name)).catch(() => undefined);
      if (!manifest) continue;
      const byKey = new Map<
        string,
        { key: string; path: string; files: number; rows: number; bytes: number }
      >();
      for (const file of manifest.files) {
        const key = manifest.partitionColumns.map((c) => `${c}=${file.partition[c] ?? "null"}`).join("/");
        const path = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/")) : "";
        const p = byKey.get(key) ?? { key, path, files: 0, rows: 0, bytes: 0 };
        p.files++;
        p.rows += file.rows;
        p.bytes += file.bytes;
        byKey.set(key, p);
      }
      out.push({
        summary: { name: `lake.${zone}.${name}`, kind: "lake", lastUpdatedAt: manifest.updatedAt },
        columns: manifest.schema.map((c) => ({ name: c.name, type: c.type })),
        partitions: [...byKey.values()]
          .sort((a, b) => a.key.localeCompare(b.key))
          .map((p) => ({
            ...(p.key ? { key: p.key, path: p.path } : {}),
            files: p.files,
            rows: p.rows,
            bytes: p.bytes,
          })),
      });
    }
  }
  return out;
}

async function lineageDatasets(ctx: ServerContext): Promise<LineageDataset[]> {
  const db = sqlDatabaseOf(ctx.store);
  return db ? new LineageStore(db).datasets() : [];
}

function summaryOfLineage(d: LineageDataset): DatasetSummary {
  const name = datasetLabel(d);
  return { name, kind: kindOf(d), namespace: d.namespace, lastUpdatedAt: d.updatedAt };
}

/** Each dataset's newest quality score (share of passed checks) and when it was checked. */
async function latestScores(ctx: ServerContext): Promise<Map<string, { qualityScore?: number }>> {
  const scores = new Map<string, { qualityScore?: number }>();
  for (const check of await ctx.store.quality.checks({ limit: SCORE_CHECKS })) {
    if (scores.has(check.dataset)) continue;
    scores.set(check.dataset, check.score.checks === null ? {} : { qualityScore: check.score.checks });
  }
  return scores;
}

function mergeSummary(a: DatasetSummary, b: DatasetSummary): DatasetSummary {
  const lastUpdatedAt = [a.lastUpdatedAt, b.lastUpdatedAt]
    .filter((t): t is string => !!t)
    .sort()
    .pop();
  const namespace = a.namespace ?? b.namespace;
  const qualityScore = a.qualityScore ?? b.qualityScore;
  return {
    name: a.name,
    kind: a.kind !== "other" ? a.kind : b.kind,
    ...(namespace ? { namespace } : {}),
    ...(lastUpdatedAt ? { lastUpdatedAt } : {}),
    ...(qualityScore === undefined ? {} : { qualityScore }),
  };
}

function kindOf(d: LineageDataset): DatasetKind {
  if (d.weirName) return kindOfName(d.weirName);
  if (/^(duckdb|postgres(ql)?):/.test(d.namespace)) return "warehouse";
  if (/^(file|https?|s3|gs|nats|sqlite):/.test(d.namespace)) return "source";
  return "other";
}

function kindOfName(name: string): DatasetKind {
  if (name.startsWith("lake.")) return "lake";
  if (name.includes("/")) return "other";
  return "warehouse";
}
