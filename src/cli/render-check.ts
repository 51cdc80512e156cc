import pc from "picocolors";
import type { QualityCheckRecord } from "../metadata/quality-store.js";
import type { DatasetProfile } from "../quality/profile.js";
import { formatScore } from "../quality/quality-score.js";
import type { SuiteRunResult } from "../quality/suite-result.js";
import { renderTable } from "./render-table.js";

/** A suite run for people: one line per check with ✓/✗, its action, counts and samples; then the score. */
export function renderCheck(result: SuiteRunResult): string {
  const v = result.validation;
  const out = [
    `${pc.bold(`suite ${result.suite}`)} on ${pc.bold(result.dataset)} ${pc.dim(`(${v.rowCount} rows, ${v.scans} scan${v.scans === 1 ? "" : "s"}, check ${result.checkId})`)}`,
    "",
  ];
  const width = Math.min(48, Math.max(...result.checks.map((c) => c.name.length), 4));
  for (const c of result.checks) {
    const icon = c.success
      ? pc.green("✓")
      : c.action === "fail"
        ? pc.red("✗")
        : c.action === "quarantine"
          ? pc.yellow("⇥")
          : pc.yellow("!");
    const tag = c.action === "fail" ? "" : pc.dim(`[${c.action}] `);
    out.push(`  ${icon} ${c.name.padEnd(width)}  ${tag}${c.message}`);
    if (!c.success && c.samples?.length) {
      const samples = c.samples
        .slice(0, 5)
        .map((s) => JSON.stringify(s, jsonSafe))
        .join(", ");
      out.push(
        `      ${pc.dim("samples:")} ${samples}${c.samples.length > 5 ? pc.dim(` … (${c.samples.length} kept)`) : ""}`,
      );
    }
  }
  const s = result.score;
  out.push(
    "",
    `score: checks ${formatScore(s.checks)} (${s.passedChecks} of ${s.totalChecks} passed) · rows ${formatScore(s.rows)} (${s.validRows} of ${s.rowCount} valid)`,
  );
  if (result.quarantined) {
    const q = result.quarantined;
    out.push(`quarantine: ${q.rowsIn} in = ${q.passed} passed + ${q.rows} quarantined to ${q.table}`);
  }
  const failed = result.checks.filter((c) => !c.success && c.action === "fail").length;
  const warned = result.checks.filter((c) => !c.success && c.action !== "fail").length;
  out.push(
    result.success
      ? pc.green(`passed${warned > 0 ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""}`)
      : pc.red(`failed: ${failed} check${failed === 1 ? "" : "s"} with severity error`),
  );
  return out.join("\n");
}

/** Stored checks of a dataset, newest first. */
export function renderHistory(records: readonly QualityCheckRecord[]): string {
  if (records.length === 0) return "no quality checks recorded for this dataset";
  return renderTable(
    ["checked at", "suite", "run", "result", "checks", "rows", "row count", "failed"],
    records.map((r) => [
      r.checkedAt,
      r.suite,
      r.runId ?? "-",
      r.success ? "passed" : "failed",
      formatScore(r.score.checks),
      formatScore(r.score.rows),
      r.rowCount ?? null,
      r.results
        .filter((x) => !x.success)
        .map((x) => x.name)
        .join(", ") || "-",
    ]),
  );
}

/** A profile as a table per column, with distributions below. */
export function renderProfile(profile: DatasetProfile): string {
  const out = [`${pc.bold(profile.target)}: ${profile.rowCount} rows, ${profile.columns.length} columns`, ""];
  out.push(
    renderTable(
      ["column", "type", "nulls", "distinct", "min", "max", "top values"],
      profile.columns.map((c) => [
        c.name,
        c.type,
        `${c.nullCount} (${formatScore(c.nullRate)})`,
        c.distinctCount,
        clip(c.min),
        clip(c.max),
        c.topValues.map((t) => `${clip(t.value, 20)} ×${t.count}`).join(", "),
      ]),
    ),
  );
  const details = profile.columns.flatMap((c) => {
    const n = c.numeric;
    if (n) {
      return [
        `  ${c.name}: mean ${num(n.mean)} ± ${num(n.stdev)}; p5 ${num(n.p5)} · p25 ${num(n.p25)} · p50 ${num(n.p50)} · p75 ${num(n.p75)} · p95 ${num(n.p95)}`,
      ];
    }
    if (c.length)
      return [`  ${c.name}: length ${num(c.length.min)}..${num(c.length.max)}, mean ${num(c.length.mean)}`];
    return [];
  });
  if (details.length > 0) out.push("", "distributions:", ...details);
  return out.join("\n");
}

function clip(value: unknown, max = 24): string {
  if (value === null || value === undefined) return "-";
  const text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function num(n: number | null): string {
  if (n === null) return "-";
  return Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, "");
}

function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}
