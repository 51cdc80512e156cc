import { readFile } from "node:fs/promises";
import { isCollection, isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { ConfigError, messageOf } from "../../core/errors.js";
import { parseDatasetPolicy } from "./define-dataset-policy.js";
import type { PolicyLocate } from "./policy-issue.js";
import type { DatasetPolicy } from "./policy-types.js";

/** Alias expansions allowed before a document counts as a "billion laughs" attack. */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads a dataset policy from a YAML (or JSON) file: the same shape `defineDatasetPolicy`
 * takes. Errors name the file, line and column of the offending node, the dataset and the
 * column.
 *
 * ```yaml
 * dataset: customers
 * columns:
 *   email:
 *     - { hash: {}, as: email_hash }
 *     - { mask: email, as: email_masked }
 *   phone: { mask: last4 }
 *   birth_date: { generalize: year }
 *   notes: drop
 * ```
 *
 * @example
 * const policy = await loadPolicyFile("examples/customers/customers.policy.yaml");
 */
export async function loadPolicyFile(path: string): Promise<DatasetPolicy> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read policy file ${path}: ${messageOf(cause)}`, {
      cause,
      details: { file: path },
    });
  }
  return parsePolicyYaml(text, path);
}

/** Parses policy YAML text; `file` names it in errors. */
export function parsePolicyYaml(text: string, file: string): DatasetPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { text: `${file}:${pos.line}:${pos.col}`, line: pos.line, column: pos.col };
  };
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = at(syntax.pos[0]);
    throw new ConfigError(`${pos.text}: invalid YAML: ${syntax.message.split("\n")[0]!.trim()}`, {
      details: { file, line: pos.line, column: pos.column },
    });
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw new ConfigError(`${file}:1:1: cannot read the YAML document: ${messageOf(cause).split("\n")[0]}`, {
      cause,
      details: { file },
    });
  }
  const locate: PolicyLocate = (path, options = {}) => {
    if (options.key && path.length > 0) {
      const parent = doc.getIn(path.slice(0, -1), true);
      const pair = isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1])
        : undefined;
      const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) return at(offset).text;
    }
    // The deepest node on the path that exists: a missing key points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined && (depth === path.length || isCollection(node))) return at(offset).text;
    }
    return undefined;
  };
  return parseDatasetPolicy(input ?? {}, { label: file, locate });
}
