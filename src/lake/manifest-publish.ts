import { link, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { LakeError } from "../core/errors.js";
import { fsyncDir, MANIFEST_FILE, type Manifest, readManifest } from "./manifest.js";

/** Prefix of a version's claim file, `_manifest.v<N>.json`. */
export const MANIFEST_CLAIM_PREFIX = "_manifest.v";

export function manifestClaimName(version: number): string {
  return `${MANIFEST_CLAIM_PREFIX}${version}.json`;
}

/** The version a claim file name claims, or undefined for other names. */
export function claimedVersion(name: string): number | undefined {
  const match = /^_manifest\.v(\d+)\.json$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export interface PublishRequest {
  dataset: string;
  datasetDir: string;
  /** The new manifest; its version is the base's plus one. */
  manifest: Manifest;
  commitId: string;
  /** The manifest the new one was planned from (undefined: the dataset had none). */
  base: Manifest | undefined;
  /** Runs once the new manifest is written and fsynced, before it is claimed (crash tests stop there). */
  beforeClaim?: () => Promise<void>;
}

/**
 * Makes a manifest current if, and only if, the current one is still the one it was planned
 * from, so a commit can never overwrite another it did not see.
 *
 * rename() over `_manifest.json` is atomic but unconditional, so the new manifest first
 * claims its version: it is hard-linked to `_manifest.v<N>.json`, and link() fails when that
 * name exists — of all writers planning from version N-1, only one can ever claim N. The
 * claimant then re-reads `_manifest.json` and renames only if it is still the base (version
 * and commit id): this catches a writer whose base is older than the newest claim kept (claims
 * below the current version are deleted). Why that suffices: `_manifest.json` only ever moves
 * from version N-1 to N by the rename of N's one claimant, after it saw N-1 current; so a
 * writer that saw its base current and holds the next claim cannot be overtaken before its
 * rename. The claim is a hard link of the current manifest (no extra space); a claim above the
 * current version is a writer that died between claim and rename, removed under the lock.
 *
 * A crash before the claim leaves the previous manifest current; the temporary file is
 * garbage for `vacuum()`. Throws a retryable LAKE_COMMIT_FAILED when it loses the race.
 */
export async function publishManifest(request: PublishRequest): Promise<void> {
  const { dataset, datasetDir, manifest, commitId, base } = request;
  const target = join(datasetDir, MANIFEST_FILE);
  const temporary = join(datasetDir, `${MANIFEST_FILE}.tmp-${commitId}`);
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(`${JSON.stringify(manifest, null, 1)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await request.beforeClaim?.();

  const claim = join(datasetDir, manifestClaimName(manifest.version));
  try {
    await link(temporary, claim);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw lostRace(dataset, commitId, base, `version ${manifest.version} was claimed by another commit`);
  }
  try {
    const current = await readManifest(datasetDir);
    if (!sameManifest(current, base)) {
      const now = current ? `version ${current.version} (commit ${lastCommitId(current)})` : "no manifest";
      throw lostRace(dataset, commitId, base, `the manifest is now ${now}`);
    }
    await rename(temporary, target);
  } catch (error) {
    await unlink(claim).catch(() => undefined);
    throw error;
  }
  await fsyncDir(datasetDir);
  // The base's claim is no longer needed: only the current version's is kept.
  if (base) await unlink(join(datasetDir, manifestClaimName(base.version))).catch(() => undefined);
}

function sameManifest(current: Manifest | undefined, base: Manifest | undefined): boolean {
  if (current === undefined || base === undefined) return current === base;
  return current.version === base.version && lastCommitId(current) === lastCommitId(base);
}

function lastCommitId(manifest: Manifest): string {
  return manifest.commits.at(-1)?.id ?? "none";
}

function lostRace(dataset: string, commitId: string, base: Manifest | undefined, what: string): LakeError {
  const from = base ? `version ${base.version} (commit ${lastCommitId(base)})` : "an empty dataset";
  return new LakeError(
    "LAKE_COMMIT_FAILED",
    `commit ${commitId} to ${dataset} was planned from ${from}, but ${what}: a concurrent commit got in first; nothing of this commit was made visible, write again`,
    {
      retryable: true,
      details: { dataset, commitId, baseVersion: base?.version ?? 0, reason: "concurrent-commit" },
    },
  );
}
