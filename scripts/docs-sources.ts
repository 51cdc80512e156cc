/**
 * Writes docs/sources.md, the reference of every source's options, from the sources' zod
 * schemas. `npm run docs:sources`; a test fails when the committed page is out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sourceDefinitions } from "../src/connectors/create-source.js";
import { renderSourceReference } from "../src/connectors/source-reference.js";

const page = fileURLToPath(new URL("../docs/sources.md", import.meta.url));
writeFileSync(page, renderSourceReference(sourceDefinitions()));
process.stderr.write(`wrote ${page}\n`);
