import type { z } from "zod";

/** A place inside a policy's input: `["columns", "email", 1, "hash", "normalize"]`. */
export type PolicyPath = readonly (string | number)[];

/**
 * Maps a path inside the policy input to "file:line:col" for messages; YAML files provide
 * one. `key`: point at the last step's key rather than its value (an unknown key).
 */
export type PolicyLocate = (path: PolicyPath, options?: { key?: boolean }) => string | undefined;

/**
 * What is wrong with a policy input and where; `parseDatasetPolicy` turns it into a
 * ConfigError naming the dataset, the column and (from a file) the line and column.
 */
export class PolicyIssue extends Error {
  constructor(
    readonly path: PolicyPath,
    message: string,
    /** The last step of `path` is a key that should not be there. */
    readonly atKey = false,
  ) {
    super(message);
  }
}

/** The first zod issue as a PolicyIssue under `base`; an unknown key is pointed at itself. */
export function issueFrom(base: PolicyPath, error: z.ZodError): PolicyIssue {
  const issue = error.issues[0]!;
  const inner = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  const key = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const path = key === undefined ? [...base, ...inner] : [...base, ...inner, key];
  const field = inner.length > 0 ? `${inner.join(".")}: ` : "";
  return new PolicyIssue(path, `${field}${issue.message}`, key !== undefined);
}
