import { describe, expect, it } from "vitest";
import { renderHtmlReport } from "./html-report.js";
import type { SuiteRunResult } from "./suite-result.js";

const hostile = `<script>alert("x")</script>`;

function result(): SuiteRunResult {
  const expectation = {
    type: "expect_column_values_to_match_regex",
    kwargs: { column: `em<b>ail`, regex: "^[^@]+@[^@]+$" },
  };
  return {
    checkId: "chk_1",
    suite: `suite ${hostile}`,
    dataset: "customers",
    runId: "run_<1>",
    checkedAt: "2024-01-16T00:00:00.000Z",
    success: false,
    checks: [
      {
        name: "valid_email",
        kind: "expectation",
        type: expectation.type,
        severity: "error",
        action: "fail",
        success: false,
        scored: true,
        message: "2 of 10 unexpected (20 %)",
        samples: [hostile, "a&b"],
        expectation: {
          expectation,
          success: false,
          result: { element_count: 10, unexpected_count: 2, partial_unexpected_list: [hostile, "a&b"] },
        },
      },
      {
        name: "rows",
        kind: "expectation",
        type: "expect_table_row_count_to_be_between",
        severity: "warn",
        action: "warn",
        success: true,
        scored: true,
        message: "observed 10",
      },
    ],
    validation: {
      success: false,
      statistics: {
        evaluated_expectations: 2,
        successful_expectations: 1,
        unsuccessful_expectations: 1,
        success_percent: 50,
      },
      results: [],
      rowCount: 10,
      scans: 1,
    },
    score: { checks: 0.5, rows: 0.8, passedChecks: 1, totalChecks: 2, validRows: 8, rowCount: 10 },
    anomalies: [
      {
        metric: "row_count",
        value: 10,
        method: "zscore",
        threshold: 3,
        status: "anomaly",
        flagged: true,
        historyLength: 6,
        message: `row_count = 10: z-score -9 ${hostile}`,
      },
    ],
    schema: {
      success: true,
      columns: [{ name: hostile, type: "varchar" }],
      violations: [],
      changes: { breaking: [], additive: [{ column: hostile, change: "added", to: "varchar" }] },
      message: "additive",
    },
    metrics: { row_count: 10 },
    quarantined: {
      rowsIn: 10,
      passed: 8,
      rows: 2,
      byExpectation: { valid_email: 2 },
      table: "quarantine.customers",
    },
  };
}

describe("renderHtmlReport", () => {
  const html = renderHtmlReport(result());

  it("escapes every value taken from data and configuration", () => {
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>ail");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("a&amp;b");
    expect(html).toContain("run_&lt;1&gt;");
    expect(html).toContain("em&lt;b&gt;ail");
  });

  it("is one self-contained page: inline CSS, no scripts, no external references", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it("shows the scores, quarantine counts, each check with its outcome and samples", () => {
    expect(html).toContain("<b>50 %</b>checks passed");
    expect(html).toContain("<b>80 %</b>valid rows");
    expect(html).toContain("10 in = 8 passed + 2 quarantined");
    expect(html).toMatch(/<b>valid_email<\/b>.*failed.*2 of 10 unexpected \(20 %\).*unexpected samples/s);
    expect(html).toContain("Anomaly detection");
    expect(html).toContain('class="badge fail">failed');
  });
});
