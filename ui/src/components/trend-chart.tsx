import { formatNumber, formatTime } from "../format.js";

interface TrendChartProps {
  label: string;
  points: { at: string; value: number }[];
  /** Fixed axis bounds (a score is 0..1); otherwise the data's range. */
  min?: number;
  max?: number;
  digits?: number;
  height?: number;
}

const WIDTH = 640;
const PAD = { left: 44, right: 12, top: 10, bottom: 22 };

/** A line over time in plain SVG: few points, no chart library needed. */
export function TrendChart({ label, points, min, max, digits = 2, height = 180 }: TrendChartProps) {
  if (points.length === 0) return <p className="muted">No {label} history yet.</p>;
  const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const times = sorted.map((point) => Date.parse(point.at));
  const values = sorted.map((point) => point.value);
  const low = min ?? Math.min(...values);
  const high = max ?? Math.max(...values);
  const valueSpan = high - low || 1;
  const first = times[0] ?? 0;
  const timeSpan = (times.at(-1) ?? first) - first || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = height - PAD.top - PAD.bottom;
  const x = (at: number) =>
    PAD.left + (sorted.length === 1 ? plotWidth / 2 : ((at - first) / timeSpan) * plotWidth);
  const y = (value: number) => PAD.top + plotHeight - ((value - low) / valueSpan) * plotHeight;
  const line = sorted.map(
    (point, index) => `${index === 0 ? "M" : "L"}${x(times[index] ?? 0)},${y(point.value)}`,
  );

  return (
    <svg className="trend" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      {[low, (low + high) / 2, high].map((tick) => (
        <g key={tick}>
          <line className="trend-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
          <text
            className="trend-axis"
            x={PAD.left - 6}
            y={y(tick)}
            textAnchor="end"
            dominantBaseline="central"
          >
            {formatNumber(tick, digits)}
          </text>
        </g>
      ))}
      <text className="trend-axis" x={PAD.left} y={height - 4}>
        {formatTime(sorted[0]?.at)}
      </text>
      <text className="trend-axis" x={WIDTH - PAD.right} y={height - 4} textAnchor="end">
        {formatTime(sorted.at(-1)?.at)}
      </text>
      <path className="trend-line" d={line.join(" ")} />
      {sorted.map((point, index) => (
        <circle
          // biome-ignore lint/suspicious/noArrayIndexKey: two points may share a time.
          key={`${point.at}-${index}`}
          className="trend-point"
          cx={x(times[index] ?? 0)}
          cy={y(point.value)}
          r={3}
        >
          <title>{`${formatTime(point.at)}: ${formatNumber(point.value, digits)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
