import { formatScore } from "./quality-score.js";
import type { SuiteCheck, SuiteRunResult } from "./suite-result.js";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232a;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#5b6570;margin:0 0 1.5rem}.meta span{margin-right:1.25rem}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-weight:600;font-size:.85rem}
.pass{background:#e3f6e8;color:#17622f}.fail{background:#fde7e7;color:#9b1c1c}.warn{background:#fff4d6;color:#7a5200}.info{background:#e8eef8;color:#1f4b8f}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d9dee3;border-radius:.5rem;padding:.75rem 1rem;min-width:11rem}
.card b{display:block;font-size:1.6rem}.card small{color:#5b6570}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e6e9ec;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:#5b6570}
td.icon{font-size:1.1rem;width:1.5rem}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{margin:.25rem 0 0;white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.35rem .5rem;border-radius:.25rem;max-height:12rem;overflow:auto}
`;

export interface HtmlReportOptions {
  /** Page title; default "weir quality report: <dataset>". */
  title?: string;
}

/**
 * A self-contained HTML page (inline CSS, no scripts, no external assets) for one suite
 * run: status, both quality scores, quarantine counts, and per check its outcome, action,
 * counts and unexpected samples. Every value is HTML-escaped: data may hold anything.
 *
 * @example
 * await writeFile("report.html", renderHtmlReport(result));
 */
export function renderHtmlReport(result: SuiteRunResult, options: HtmlReportOptions = {}): string {
  const title = options.title ?? `weir quality report: ${result.dataset}`;
  const failed = result.checks.filter((c) => !c.success);
  const status = result.success
    ? failed.length === 0
      ? badge("pass", "passed")
      : badge("warn", `passed with ${failed.length} warning${failed.length === 1 ? "" : "s"}`)
    : badge("fail", "failed");
  const s = result.score;
  // The score counts scored checks only; say so when the table lists more (anomaly metrics
  // without enough history yet), so "10 of 10" next to 13 rows is not a riddle.
  const unscored = result.checks.filter((c) => !c.scored).length;
  const cards = [
    card(
      formatScore(s.checks),
      "checks passed",
      `${s.passedChecks} of ${s.totalChecks} scored${unscored > 0 ? ` · ${unscored} of ${result.checks.length} listed not scored (no history yet)` : ""}`,
    ),
    card(formatScore(s.rows), "valid rows", `${s.validRows} of ${s.rowCount}`),
    card(
      String(result.validation.rowCount),
      "rows checked",
      `${result.validation.scans} scan(s) for expectations`,
    ),
  ];
  if (result.quarantined) {
    const q = result.quarantined;
    cards.push(
      card(
        String(q.rows),
        `quarantined to ${q.table}`,
        `${q.rowsIn} in = ${q.passed} passed + ${q.rows} quarantined`,
      ),
    );
  }
  const rows = result.checks.map(checkRow).join("\n");
  const anomalies = result.anomalies?.length
    ? section(
        "Anomaly detection",
        table(
          ["", "metric", "value", "status", "detail"],
          result.anomalies.map((a) => [
            a.flagged ? "✗" : a.status === "ok" ? "✓" : "–",
            code(a.metric),
            esc(a.value === null ? "NULL" : String(a.value)),
            esc(a.status.replace("_", " ")),
            esc(a.message),
          ]),
        ),
      )
    : "";
  const schemaChanges = result.schema?.changes;
  const schema = result.schema
    ? section(
        "Schema",
        `<p>${esc(result.schema.message)}</p>` +
          table(
            ["column", "type", "change"],
            result.schema.columns.map((c) => {
              const added = schemaChanges?.additive.some((a) => a.column === c.name);
              const changed = schemaChanges?.breaking.find((b) => b.column === c.name);
              return [
                code(c.name),
                esc(c.type),
                changed ? badge("fail", `was ${changed.from}`) : added ? badge("info", "added") : "",
              ];
            }),
          ),
      )
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)} ${status}</h1>
<p class="meta"><span>suite <b>${esc(result.suite)}</b></span><span>dataset <b>${esc(result.dataset)}</b></span><span>checked ${esc(result.checkedAt)}</span>${
    result.runId ? `<span>run ${code(result.runId)}</span>` : ""
  }<span>check ${code(result.checkId)}</span></p>
<div class="cards">${cards.join("")}</div>
<h2>Checks</h2>
<table>
<thead><tr><th></th><th>check</th><th>type</th><th>on failure</th><th>result</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${anomalies}${schema}
</body>
</html>
`;
}

function checkRow(c: SuiteCheck): string {
  // A check that was not scored (an anomaly metric without enough history) neither passed
  // nor failed: the same "–" and wording as the anomaly section.
  const icon = !c.scored
    ? "–"
    : c.success
      ? "✓"
      : c.action === "fail"
        ? "✗"
        : c.action === "quarantine"
          ? "⇥"
          : "!";
  const kwargs = c.expectation ? `<pre>${esc(kwargsText(c.expectation.expectation.kwargs))}</pre>` : "";
  const samples = c.samples?.length ? samplesHtml(c) : "";
  const outcome = !c.scored
    ? badge("info", "not scored")
    : c.success
      ? badge("pass", "passed")
      : badge(c.action === "fail" ? "fail" : "warn", actionText(c));
  return `<tr><td class="icon">${icon}</td><td><b>${esc(c.name)}</b></td><td>${code(c.type)}${kwargs}</td><td>${esc(
    c.action === "quarantine" ? "quarantine rows" : c.severity,
  )}</td><td>${outcome} ${esc(c.message)}${samples}</td></tr>`;
}

function actionText(c: SuiteCheck): string {
  return c.action === "fail" ? "failed" : c.action === "quarantine" ? "rows quarantined" : "warning";
}

function section(title: string, body: string): string {
  return `<h2>${esc(title)}</h2>\n${body}\n`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function card(value: string, label: string, detail: string): string {
  return `<div class="card"><b>${esc(value)}</b>${esc(label)}<br><small>${esc(detail)}</small></div>`;
}

function badge(kind: "pass" | "fail" | "warn" | "info", text: string): string {
  return `<span class="badge ${kind}">${esc(text)}</span>`;
}

function code(text: string): string {
  return `<code>${esc(text)}</code>`;
}

/**
 * Arguments one per line, `name: value`, strings as written in the suite (a regex reads
 * `^\d+$`, not JSON's `"^\\d+$"`); other values, and strings a plain rendering would
 * hide (empty, padded, multi-line), as JSON.
 */
export function kwargsText(kwargs: Record<string, unknown>): string {
  return Object.entries(kwargs)
    .map(([name, value]) => `${name}: ${typeof value === "string" && plain(value) ? value : json(value)}`)
    .join("\n");
}

function plain(text: string): boolean {
  return text !== "" && text.trim() === text && !/[\n\r]/.test(text);
}

/**
 * The unexpected samples of a check: how many of how many are shown; for a between check,
 * those below the minimum and those above the maximum apart, so neither end hides the other.
 */
function samplesHtml(c: SuiteCheck): string {
  const samples = c.samples ?? [];
  const total = c.expectation?.result.unexpected_count;
  const of =
    typeof total === "number" && total > samples.length ? ` (first ${samples.length} of ${total})` : "";
  const kwargs = c.expectation?.expectation.kwargs ?? {};
  const min = kwargs.min_value;
  const max = kwargs.max_value;
  if (c.type.endsWith("_to_be_between") && (typeof min === "number" || typeof max === "number")) {
    const below = samples.filter((v) => typeof v === "number" && typeof min === "number" && v < min);
    const above = samples.filter((v) => typeof v === "number" && typeof max === "number" && v > max);
    const other = samples.filter((v) => !below.includes(v) && !above.includes(v));
    const groups = [
      ["below min_value", below],
      ["above max_value", above],
      ["other", other],
    ] as const;
    const parts = groups
      .filter(([, values]) => values.length > 0)
      .map(([label, values]) => `<small>${esc(label)}</small><pre>${esc(json(values))}</pre>`);
    return `<div><small>unexpected samples${esc(of)}</small>${parts.join("")}</div>`;
  }
  return `<div><small>unexpected samples${esc(of)}</small><pre>${esc(json(samples))}</pre></div>`;
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "undefined";
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
