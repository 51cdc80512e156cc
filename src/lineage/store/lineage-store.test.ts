import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { lineageSuite } from "../../../test/support/lineage-suite.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";

const dir = mkdtempSync(join(tmpdir(), "weir-lineage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// Each call a new SQLite file, as `WEIR_METADATA_URL=sqlite:///…` opens it.
lineageSuite("sqlite", () => openMetadataStore(`sqlite://${join(dir, `weir-${++n}.db`)}`));
