import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { LakeError } from "../core/errors.js";

/** The file in a dataset folder that says which Parquet files are live. */
export const MANIFEST_FILE = "_manifest.json";
/** How many commits the manifest keeps in its history. */
export const COMMIT_HISTORY = 50;

const partitionColumnSchema = z.union([z.string(), z.object({ name: z.string(), expression: z.string() })]);

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  dataset: z.string(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  /** Columns as the engine typed them, partition columns included. */
  schema: z.array(z.object({ name: z.string(), type: z.string() })),
  partitionBy: z.array(partitionColumnSchema),
  partitionColumns: z.array(z.string()),
  files: z.array(
    z.object({
      /** Relative to the dataset folder, `/`-separated. */
      path: z.string(),
      partition: z.record(z.string(), z.string().nullable()),
      rows: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      commitId: z.string(),
    }),
  ),
  commits: z.array(
    z.object({
      id: z.string(),
      time: z.string(),
      mode: z.enum(["append", "overwrite", "overwrite-partition"]),
      rows: z.number().int().nonnegative(),
      filesAdded: z.number().int().nonnegative(),
      filesRemoved: z.number().int().nonnegative(),
      /** Partition values of every partition the commit wrote or replaced. */
      partitions: z.array(z.record(z.string(), z.string().nullable())),
    }),
  ),
  /**
   * Epoch markers: the highest value committed per key (a stream sink's
   * `stream:<job>:<partition>` → epoch), set in the same manifest swap as the data, so
   * "this epoch's rows are visible" and "this epoch is marked" can never disagree. Carried
   * forward by every commit; optional so manifests written before markers still parse.
   */
  markers: z.record(z.string(), z.number()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];
export type CommitRecord = Manifest["commits"][number];
export type SchemaColumn = Manifest["schema"][number];

/** Reads and validates a dataset's manifest; undefined when the dataset was never committed. */
export async function readManifest(datasetDir: string): Promise<Manifest | undefined> {
  const path = join(datasetDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LakeError(
      "LAKE_MANIFEST_INVALID",
      `cannot read lake manifest ${path}: ${(error as Error).message}`,
      {
        cause: error,
        retryable: true,
        details: { file: path },
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LakeError(
      "LAKE_MANIFEST_INVALID",
      `lake manifest ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
        details: { file: path },
      },
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join(".") : "";
    throw new LakeError(
      "LAKE_MANIFEST_INVALID",
      `lake manifest ${path} does not match the manifest format at "${where}": ${issue?.message ?? "invalid"}`,
      { details: { file: path, field: where } },
    );
  }
  return parsed.data;
}

/** Flushes a folder's entries (renames, links) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
