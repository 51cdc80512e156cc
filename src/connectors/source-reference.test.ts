import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sourceDefinitions } from "./create-source.js";
import type { SourceDefinition } from "./define-source.js";
import { renderSourceReference } from "./source-reference.js";

describe("docs/sources.md", () => {
  it("is what `npm run docs:sources` writes from the registered sources (regenerate it when this fails)", () => {
    const committed = readFileSync(new URL("../../docs/sources.md", import.meta.url), "utf8");
    expect(committed).toBe(renderSourceReference(sourceDefinitions()));
  });

  it("lists every option with its type, default, requiredness and description, nested ones flattened", () => {
    // Not registered (defineSource): the registry is what the committed page is rendered from.
    const example: SourceDefinition = {
      type: "zz_example",
      description: "an example source",
      config: z.object({
        path: z.string().describe("where | it is"),
        mode: z.enum(["a", "b"]).default("a").describe("how"),
        inner: z
          .object({ key: z.string().describe("the key") })
          .optional()
          .describe("nested"),
      }),
      notes: "**Note.** it works",
      create: () => {
        throw new Error("not built in this test");
      },
    };
    const page = renderSourceReference([example]);
    expect(page).toContain("## zz_example\n\nan example source.\n");
    expect(page).toContain("| `path` (required) | string |  | where \\| it is |");
    expect(page).toContain('| `mode` | `"a"` \\| `"b"` | `"a"` | how |');
    expect(page).toContain("| `inner` | object |  | nested |");
    expect(page).toContain("| `inner.key` (required) | string |  | the key |");
    expect(page).toContain("**Note.** it works");
  });
});
