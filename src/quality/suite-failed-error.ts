import { QualityError } from "../core/errors.js";
import type { SuiteRunResult } from "./suite-result.js";

/** A suite's checks with severity error failed; `result` holds everything that was found. */
export class SuiteFailedError extends QualityError {
  constructor(readonly result: SuiteRunResult) {
    const failed = result.checks.filter((c) => !c.success && c.action === "fail");
    super(
      `suite "${result.suite}" failed on ${result.dataset}: ${failed.map((c) => `${c.name} (${c.message})`).join("; ")}`,
      {
        details: {
          dataset: result.dataset,
          suite: result.suite,
          checkId: result.checkId,
          failed: failed.map((c) => c.name),
        },
      },
    );
  }
}
