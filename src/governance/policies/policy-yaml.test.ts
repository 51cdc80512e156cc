import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defineDatasetPolicy } from "./define-dataset-policy.js";
import { loadPolicyFile, parsePolicyYaml } from "./policy-yaml.js";

const dir = mkdtempSync(join(tmpdir(), "weir-policy-yaml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `dataset: customers
columns:
  email:
    - { hash: {}, as: email_hash }
    - { mask: email, as: email_masked }
  phone: { mask: last4 }
  birth_date: { generalize: year }
  notes: drop
allowRaw: [customer_id]
`;

describe("loadPolicyFile", () => {
  it("reads the same policy the TypeScript form declares", async () => {
    const file = join(dir, "customers.policy.yaml");
    writeFileSync(file, GOOD);
    expect(await loadPolicyFile(file)).toEqual(
      defineDatasetPolicy({
        dataset: "customers",
        columns: {
          email: [
            { hash: {}, as: "email_hash" },
            { mask: "email", as: "email_masked" },
          ],
          phone: { mask: "last4" },
          birth_date: { generalize: "year" },
          notes: "drop",
        },
        allowRaw: ["customer_id"],
      }),
    );
  });

  it("names a missing file", async () => {
    await expect(loadPolicyFile(join(dir, "nope.yaml"))).rejects.toThrow(
      /cannot read policy file .*nope\.yaml/,
    );
  });

  it.each<[string, string, RegExp]>([
    [
      "a bad value, at the value",
      GOOD.replace("{ mask: last4 }", "{ mask: last5 }"),
      /^p\.yaml:6:18: policy "customers", column "phone": mask: Invalid option/,
    ],
    [
      "a bad value in a list, at the value",
      GOOD.replace("{ mask: email, as: email_masked }", "{ mask: emial, as: email_masked }"),
      /^p\.yaml:5:15: policy "customers", column "email" output 2: mask: Invalid option/,
    ],
    [
      "an unknown key, at the key",
      GOOD.replace("{ generalize: year }", "{ generalize: year, round: 2 }"),
      /^p\.yaml:7:35: policy "customers", column "birth_date": Unrecognized key: "round"/,
    ],
    [
      "an output without a kind, at the output",
      GOOD.replace("notes: drop", "notes: { as: x }"),
      /^p\.yaml:8:10: policy "customers", column "notes": an output needs one of/,
    ],
    [
      "invalid YAML, where it breaks",
      "dataset: customers\ncolumns:\n  email: [unclosed\n",
      /^p\.yaml:\d+:\d+: invalid YAML/,
    ],
    [
      "a duplicated key",
      "dataset: a\ndataset: b\ncolumns: { x: drop }\n",
      /^p\.yaml:2:1: invalid YAML: Map keys must be unique/,
    ],
  ])("points %s", (_name, text, message) => {
    expect(() => parsePolicyYaml(text, "p.yaml")).toThrow(message);
  });
});
