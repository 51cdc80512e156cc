import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE } from "../../lake/manifest.js";
import { ZONES } from "../../lake/zones.js";
import { type DerivedFamily, family } from "../metric-family.js";
import { epochSeconds } from "./collect-context.js";

interface ManifestFacts {
  mtimeMs: number;
  size: number;
  version: number;
  updatedAt?: number;
  rows: number;
  files: number;
}

/**
 * Lake commits are not in the metadata store: each dataset's `_manifest.json` holds its
 * version, which every commit raises by one, so the version IS the dataset's commit count
 * and every process's commits show. Manifests are re-read only when their mtime or size
 * changed, so a scrape of an idle lake is a few `stat`s.
 */
export class LakeMetrics {
  private readonly cache = new Map<string, ManifestFacts>();

  constructor(private readonly root: string) {}

  /** The families, and each dataset's last commit time (Unix seconds) for freshness. */
  async collect(): Promise<{ families: DerivedFamily[]; updates: Map<string, number> }> {
    const commits = family(
      "weir_lake_commits_total",
      "counter",
      "Commits to the lake dataset (its manifest version).",
    );
    const rows = family("weir_lake_dataset_rows", "gauge", "Rows in the lake dataset's live files.");
    const files = family("weir_lake_dataset_files", "gauge", "Live Parquet files of the lake dataset.");
    const updates = new Map<string, number>();
    for (const zone of ZONES) {
      for (const name of await listDirs(join(this.root, zone))) {
        const facts = await this.read(join(this.root, zone, name, MANIFEST_FILE));
        if (!facts) continue;
        const dataset = `lake.${zone}.${name}`;
        const labels = { dataset_name: dataset };
        commits.samples.push({ labels, value: facts.version });
        rows.samples.push({ labels, value: facts.rows });
        files.samples.push({ labels, value: facts.files });
        if (facts.updatedAt !== undefined) updates.set(dataset, facts.updatedAt);
      }
    }
    return { families: [commits, rows, files], updates };
  }

  private async read(path: string): Promise<ManifestFacts | undefined> {
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    try {
      const manifest = JSON.parse(await readFile(path, "utf8")) as {
        version?: number;
        updatedAt?: string;
        files?: { rows?: number }[];
      };
      const facts: ManifestFacts = {
        mtimeMs: info.mtimeMs,
        size: info.size,
        version: Number(manifest.version) || 0,
        rows: (manifest.files ?? []).reduce((n, f) => n + (Number(f.rows) || 0), 0),
        files: manifest.files?.length ?? 0,
      };
      const at = epochSeconds(manifest.updatedAt);
      if (at !== undefined) facts.updatedAt = at;
      this.cache.set(path, facts);
      return facts;
    } catch {
      // Replaced between stat and read, or not a manifest: counted at the next scrape.
      return cached;
    }
  }
}

async function listDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("_") && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}
