import { describe, expect, it } from "vitest";
import { SqliteMetadataStore } from "../../metadata/sqlite-metadata-store.js";
import { openTaskRunner, requirePostgresMetadata } from "./open-task-runner.js";

describe("openTaskRunner", () => {
  const distributed = { queueSchema: "weir_queue", pollMs: 1_000 };

  it("runs tasks locally (no runner) for executor local", async () => {
    const store = await SqliteMetadataStore.open({ path: ":memory:" });
    try {
      expect(await openTaskRunner({ executor: "local", distributed }, store)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("refuses executor distributed without a PostgreSQL metadata store, saying what to set", async () => {
    const store = await SqliteMetadataStore.open({ path: ":memory:" });
    try {
      await expect(openTaskRunner({ executor: "distributed", distributed }, store)).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(
          /executor: "distributed" needs a PostgreSQL metadata store.*WEIR_METADATA_URL/,
        ),
      });
      expect(() => requirePostgresMetadata({ metadataUrl: "/srv/weir.db" }, "weir worker")).toThrow(
        /weir worker needs a PostgreSQL metadata store .*it is not PostgreSQL/,
      );
      expect(requirePostgresMetadata({ metadataUrl: "postgres://db/weir" }, "weir worker")).toBe(
        "postgres://db/weir",
      );
    } finally {
      await store.close();
    }
  });
});
