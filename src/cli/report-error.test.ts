import { stripVTControlCharacters } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Secret } from "../config/secret.js";
import { ConnectorError, TaskError } from "../core/errors.js";
import { reportError } from "./report-error.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function printed(error: unknown): string {
  let text = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  reportError(error, false);
  vi.restoreAllMocks();
  // picocolors colours output when CI is set; compare the text the user reads.
  return stripVTControlCharacters(text);
}

describe("reportError", () => {
  it("scrubs a secret from the message, the causes and the details, JSON-escaped too", () => {
    const value = 'api"key\\with-quote-2718';
    new Secret("WEIR_TEST_REPORT_KEY", value);
    const cause = new ConnectorError("CONNECTOR_HTTP_FAILED", `GET /x failed: sent ${value}`, {
      // A details object is printed as JSON, where the quote and backslash gain backslashes.
      details: { request: { header: value }, body: JSON.stringify({ received: value }) },
    });
    const text = printed(new TaskError("extract", cause));
    expect(text).toContain("[redacted WEIR_TEST_REPORT_KEY]");
    expect(text).toContain('request: {"header":"[redacted WEIR_TEST_REPORT_KEY]"}');
    expect(text).toContain('body: {"received":"[redacted WEIR_TEST_REPORT_KEY]"}');
    expect(text).not.toContain("with-quote-2718");
  });
});
