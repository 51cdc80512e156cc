import { describe, expect, it } from "vitest";
import { kwargsText, renderHtmlReport } from "./html-report.js";
import type { SuiteCheck, SuiteRunResult } from "./suite-result.js";

/** Friction items of issue 10 about the HTML report: what it counts, shows and escapes. */
function check(name: string, extra: Partial<SuiteCheck> = {}): SuiteCheck {
  return {
    name,
    kind: "expectation",
    type: "expect_column_values_to_not_be_null",
    severity: "error",
    action: "fail",
    success: true,
    scored: true,
    message: "0 of 10 unexpected",
    ...extra,
  };
}

function report(checks: SuiteCheck[]): string {
  const scored = checks.filter((c) => c.scored);
  const passed = scored.filter((c) => c.success).length;
  const result: SuiteRunResult = {
    checkId: "chk_1",
    suite: "s",
    dataset: "d",
    checkedAt: "2024-01-16T00:00:00.000Z",
    success: true,
    checks,
    validation: {
      success: true,
      statistics: {
        evaluated_expectations: 0,
        successful_expectations: 0,
        unsuccessful_expectations: 0,
        success_percent: null,
      },
      results: [],
      rowCount: 10,
      scans: 1,
    },
    score: {
      checks: passed / scored.length,
      rows: 1,
      passedChecks: passed,
      totalChecks: scored.length,
      validRows: 10,
      rowCount: 10,
    },
    metrics: {},
  } as SuiteRunResult;
  return renderHtmlReport(result);
}

describe("the HTML report's checks", () => {
  it("says how many listed checks the score leaves out, and never calls an unscored check passed", () => {
    const anomaly = (metric: string) =>
      check(`anomaly(${metric})`, {
        kind: "anomaly",
        type: "anomaly",
        scored: false,
        message: `${metric}: insufficient history (2 of 5 points)`,
      });
    const checks = [
      ...Array.from({ length: 10 }, (_, i) => check(`c${i}`)),
      anomaly("row_count"),
      anomaly("null_rate(email)"),
      anomaly("mean(age)"),
    ];
    const html = report(checks);
    expect(html).toContain("10 of 10 scored · 3 of 13 listed not scored (no history yet)");
    const row = html.split("<tr>").find((r) => r.includes("<b>anomaly(row_count)</b>"))!;
    expect(row).toContain('<td class="icon">–</td>');
    expect(row).toContain('class="badge info">not scored');
    expect(row).not.toContain("passed");
  });

  it("shows a regex as written in the suite, not JSON-escaped", () => {
    expect(kwargsText({ column: "zip", regex: "^\\d{5}$", mostly: 0.95 })).toBe(
      "column: zip\nregex: ^\\d{5}$\nmostly: 0.95",
    );
    // Strings a bare rendering would hide stay JSON.
    expect(kwargsText({ value: "", padded: " a ", set: ["x", "y"] })).toBe(
      'value: ""\npadded: " a "\nset: ["x","y"]',
    );
    const html = report([
      check("zip_format", {
        type: "expect_column_values_to_match_regex",
        expectation: {
          expectation: {
            type: "expect_column_values_to_match_regex",
            kwargs: { column: "zip", regex: "^\\d{5}$" },
          },
          success: true,
          result: {},
        },
      }),
    ]);
    expect(html).toContain("regex: ^\\d{5}$");
    expect(html).not.toContain("\\\\d");
  });

  it("shows a between check's unexpected values below the minimum and above the maximum apart", () => {
    const html = report([
      check("age_range", {
        type: "expect_column_values_to_be_between",
        success: false,
        samples: [-5, 150, -1, 999],
        expectation: {
          expectation: {
            type: "expect_column_values_to_be_between",
            kwargs: { column: "age", min_value: 0, max_value: 120 },
          },
          success: false,
          result: { element_count: 1000, unexpected_count: 57, partial_unexpected_list: [-5, 150, -1, 999] },
        },
      }),
    ]);
    expect(html).toContain("unexpected samples (first 4 of 57)");
    expect(html).toContain("<small>below min_value</small><pre>[-5,-1]</pre>");
    expect(html).toContain("<small>above max_value</small><pre>[150,999]</pre>");
  });
});
