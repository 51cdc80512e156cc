/**
 * Expands the few Go-template forms weir's alert annotations use — `{{ $labels.x }}`,
 * `{{ $value }}` and `{{ $value | humanizeDuration }}` — as Prometheus would, so generated
 * `promtool test rules` cases can state the exact annotations an alert must carry.
 */
export function expandAnnotation(template: string, labels: Record<string, string>, value: number): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, inner: string) => {
    const label = /^\$labels\.(\w+)$/.exec(inner);
    if (label) return labels[label[1]!] ?? "";
    // Go prints a float64 like JavaScript for the integers and short decimals tests use.
    if (inner === "$value") return String(value);
    if (inner === "$value | humanizeDuration") return humanizeDuration(value);
    throw new Error(`annotation form ${whole} is not supported by the rule test generator`);
  });
}

/** Prometheus' humanizeDuration for v ≥ 1 s (days, hours, minutes, seconds; integer part only). */
export function humanizeDuration(v: number): string {
  if (v < 1) throw new Error(`humanizeDuration of ${v} < 1 s is not supported by the rule test generator`);
  const total = Math.trunc(v);
  const days = Math.trunc(total / 86_400);
  const hours = Math.trunc(total / 3_600) % 24;
  const minutes = Math.trunc(total / 60) % 60;
  const seconds = total % 60;
  if (days !== 0) return `${days}d ${hours}h ${minutes}m ${seconds}s`;
  if (hours !== 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes !== 0) return `${minutes}m ${seconds}s`;
  return `${Number(v.toPrecision(4))}s`;
}
