import { ConfigError } from "../core/errors.js";
import type { MetadataStore } from "./metadata-store.js";
import { PostgresMetadataStore } from "./postgres-metadata-store.js";
import { SqliteMetadataStore } from "./sqlite-metadata-store.js";

/**
 * Opens (and migrates) the metadata store `url` names, or `WEIR_METADATA_URL`, or the
 * embedded default `<WEIR_HOME>/weir.db`:
 * - `postgres://…` / `postgresql://…` → `PostgresMetadataStore` (`?schema=name` optional);
 * - `sqlite:///abs/path.db`, `sqlite:rel/path.db`, or a plain file path → `SqliteMetadataStore`.
 *
 * @example
 * const store = await openMetadataStore(); // WEIR_METADATA_URL or .weir/weir.db
 */
export async function openMetadataStore(url?: string): Promise<MetadataStore> {
  const target = url ?? process.env.WEIR_METADATA_URL;
  if (target === undefined || target === "") return SqliteMetadataStore.open();
  if (/^postgres(ql)?:\/\//i.test(target)) return PostgresMetadataStore.open({ url: target });
  if (/^sqlite:/i.test(target)) {
    const path = target.replace(/^sqlite:(\/\/)?/i, "");
    if (path === "")
      throw new ConfigError(`invalid metadata URL "${target}": expected sqlite:///path/to/weir.db`);
    return SqliteMetadataStore.open({ path });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new ConfigError(
      `unsupported metadata store URL scheme in "${target.replace(/:[^:@/]*@/, ":***@")}": expected postgres://… or sqlite:///path (or a file path)`,
      { details: { scheme: target.split(":")[0] } },
    );
  }
  return SqliteMetadataStore.open({ path: target });
}
