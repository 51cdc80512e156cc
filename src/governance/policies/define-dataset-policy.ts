import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { parsePolicyOutput } from "./parse-policy-output.js";
import { issueFrom, PolicyIssue, type PolicyLocate, type PolicyPath } from "./policy-issue.js";
import type { ColumnPolicy, DatasetPolicy, DatasetPolicyInput, PolicyOutput } from "./policy-types.js";

const policySchema = z
  .object({
    dataset: z.string().min(1, "must not be empty"),
    columns: z.record(z.string().min(1), z.unknown()),
    allowRaw: z.array(z.string().min(1)).optional(),
  })
  .strict();

/**
 * Declares what a dataset's personal columns become when the data lands: masked, hashed
 * (keyed HMAC, so hashes join across tables), tokenized (reversible through the token
 * vault), redacted, dropped or generalized. A column may have several outputs, each named
 * by `as` (default: the column itself, replaced in place); a column whose outputs all have
 * other names is no longer there raw, unless `allowRaw` keeps it. Columns the policy does
 * not name pass through. Mistakes are ConfigErrors naming the dataset and column.
 *
 * @example
 * export const customersPolicy = defineDatasetPolicy({
 *   dataset: "customers",
 *   columns: {
 *     email: [{ hash: {}, as: "email_hash" }, { mask: "email", as: "email_masked" }],
 *     phone: { mask: "last4" },
 *     card_number: { tokenize: {}, as: "card_token" },
 *     birth_date: { generalize: "year" },
 *     notes: "drop",
 *   },
 * });
 */
export function defineDatasetPolicy(input: DatasetPolicyInput): DatasetPolicy {
  return parseDatasetPolicy(input);
}

/** `defineDatasetPolicy` for untyped input; `label` names it (a file) and `locate` finds positions in it. */
export function parseDatasetPolicy(
  input: unknown,
  options: { label?: string; locate?: PolicyLocate } = {},
): DatasetPolicy {
  const dataset =
    typeof input === "object" &&
    input !== null &&
    typeof (input as { dataset?: unknown }).dataset === "string"
      ? (input as { dataset: string }).dataset
      : undefined;
  try {
    return buildPolicy(input);
  } catch (error) {
    if (!(error instanceof PolicyIssue)) throw error;
    const position = options.locate?.(error.path, { key: error.atKey }) ?? options.label;
    const column = error.path[0] === "columns" ? error.path[1] : undefined;
    const output = typeof error.path[2] === "number" ? ` output ${error.path[2] + 1}` : "";
    const subject = [
      dataset === undefined ? "policy" : `policy "${dataset}"`,
      column === undefined ? undefined : `column "${column}"${output}`,
    ]
      .filter((s) => s !== undefined)
      .join(", ");
    throw new ConfigError(`${position ? `${position}: ` : ""}${subject}: ${error.message}`, {
      details: {
        ...(dataset === undefined ? {} : { dataset }),
        ...(column === undefined ? {} : { column }),
        path: error.path.join("."),
        ...(position ? { position } : {}),
      },
    });
  }
}

function buildPolicy(input: unknown): DatasetPolicy {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new PolicyIssue([], "a policy must be an object with dataset and columns");
  }
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) throw issueFrom([], parsed.error);
  const { dataset, columns: columnInputs } = parsed.data;
  const allowRaw = parsed.data.allowRaw ?? [];
  if (Object.keys(columnInputs).length === 0) {
    throw new PolicyIssue(["columns"], "a policy needs at least one column");
  }
  allowRaw.forEach((column, i) => {
    if (allowRaw.indexOf(column) !== i) throw new PolicyIssue(["allowRaw", i], `"${column}" is listed twice`);
  });
  const columns = Object.entries(columnInputs).map(([column, value]) =>
    parseColumn(column, value, allowRaw.includes(column)),
  );
  checkOutputNames(columns);
  return { dataset, columns, allowRaw };
}

function parseColumn(column: string, input: unknown, keepRaw: boolean): ColumnPolicy {
  const base: PolicyPath = ["columns", column];
  const list = Array.isArray(input);
  const items: unknown[] = list ? input : [input];
  if (items.length === 0) throw new PolicyIssue(base, 'lists no outputs: write "drop" to drop the column');
  const outputs: PolicyOutput[] = [];
  let drop = false;
  items.forEach((item, i) => {
    const parsed = parsePolicyOutput(item, column, list ? [...base, i] : base);
    if (parsed === "drop") drop = true;
    else outputs.push(parsed);
  });
  if (drop && (outputs.length > 0 || items.length > 1)) {
    throw new PolicyIssue(
      base,
      "drop cannot be combined with other outputs: a column with outputs named otherwise is dropped already",
    );
  }
  if (drop && keepRaw) throw new PolicyIssue(base, "is dropped and listed in allowRaw: choose one");
  outputs.forEach((output, i) => {
    if (output.as === column && (keepRaw || outputs.length > 1)) {
      const why = keepRaw
        ? "is in allowRaw, so its raw value keeps the name"
        : "has several outputs, so each needs its own name";
      throw new PolicyIssue(
        list ? [...base, i] : base,
        `${why}: give this ${output.kind} output a name with as`,
      );
    }
  });
  return { column, outputs, keepRaw };
}

/** Every column the policy writes (outputs, and raw columns kept beside them) has its own name. */
function checkOutputNames(columns: readonly ColumnPolicy[]): void {
  const owner = new Map<string, string>();
  for (const c of columns) {
    const names = [...(c.keepRaw ? [c.column] : []), ...c.outputs.map((o) => o.as)];
    for (const name of names) {
      const other = owner.get(name);
      if (other !== undefined) {
        const whose = other === c.column ? "another of its outputs" : `an output of column "${other}"`;
        throw new PolicyIssue(["columns", c.column], `writes a column "${name}" that ${whose} writes too`);
      }
      owner.set(name, c.column);
    }
  }
}
