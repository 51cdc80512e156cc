import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { type Document, isCollection, LineCounter, type Node, parseDocument, visit } from "yaml";
import { ConfigError, messageOf } from "../core/errors.js";
import { type Locate, parseSuite, type Suite } from "./suite.js";

/**
 * Reads a suite from a YAML (or JSON) file, for people and CI that do not write
 * TypeScript. Errors name the file, line and column of the offending node, the
 * expectation type and the argument, and suggest close names for mistyped types.
 *
 * ```yaml
 * name: customers
 * dataset: customers
 * expectations:
 *   - type: expect_column_values_to_not_be_null
 *     kwargs: { column: customer_id }
 *   - type: expect_column_values_to_be_between
 *     kwargs: { column: age, min_value: 13, max_value: 120 }
 *     quarantine: true
 * freshness: { column: updated_at, maxAge: 24h }
 * ```
 *
 * @example
 * const suite = await loadSuiteFile("examples/customers/customers.suite.yaml");
 */
export async function loadSuiteFile(path: string): Promise<Suite> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read suite file ${path}: ${messageOf(cause)}`, {
      cause,
      details: { file: path },
    });
  }
  return parseSuiteYaml(text, path);
}

/** Parses suite YAML text; `file` names it in errors and gives the suite its default name. */
export function parseSuiteYaml(text: string, file: string): Suite {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${firstLine(syntax.message)}`, {
      details: { file, line: pos.line, column: pos.col },
    });
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw aliasError(doc, lineCounter, file, cause);
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(
      `${file}:1:1: a suite file must be a mapping with "expectations" (and optionally name, freshness, schema, anomalies)`,
      {
        details: { file },
      },
    );
  }
  const locate: Locate = (path) => {
    // The deepest existing node on the path: a missing key points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined && (depth === path.length || isCollection(node))) {
        const pos = lineCounter.linePos(offset);
        return `${file}:${pos.line}:${pos.col}`;
      }
    }
    return undefined;
  };
  const withName =
    "name" in input || "expectation_suite_name" in input ? input : { name: suiteNameOf(file), ...input };
  return parseSuite(withName, { label: file, locate });
}

/** Alias expansions `toJS` allows before it calls the document a resource-exhaustion attack. */
const MAX_ALIAS_COUNT = 100;

/**
 * `toJS` refuses a document whose aliases expand without bound ("billion laughs": anchors
 * of lists of aliases of anchors…) with a ReferenceError. That is the suite file's fault,
 * so it is a config error, placed at the document's first alias.
 */
function aliasError(doc: Document, lineCounter: LineCounter, file: string, cause: unknown): ConfigError {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  const pos = lineCounter.linePos(offset ?? 0);
  const excessive = /alias count/i.test(messageOf(cause));
  const message = excessive
    ? `the YAML aliases (*name) expand too far: more than ${MAX_ALIAS_COUNT} alias resolutions, as in a "billion laughs" document; write the values out instead`
    : `cannot read the YAML document: ${firstLine(messageOf(cause))}`;
  return new ConfigError(`${file}:${pos.line}:${pos.col}: ${message}`, {
    cause,
    details: { file, line: pos.line, column: pos.col },
  });
}

/** `customers.suite.yaml` → `customers`. */
function suiteNameOf(file: string): string {
  return basename(file).replace(/(\.suite)?\.(ya?ml|json)$/i, "") || "suite";
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
