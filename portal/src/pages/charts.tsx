import { Link } from '../ui';

export interface ChartSeries {
  key: string;
  label: string;
  /** One value per day, in the chart's day order. */
  values: number[];
  /** Where the series' legend entry leads (a drill-down). */
  link?: string;
}

const COLOURS = ['#2f6fdb', '#e07b28', '#2e9d5b', '#b0429b', '#c9a227', '#3aa6b9', '#8a5a3b', '#6b6fd1', '#d64545', '#5f7d2a'];
const WIDTH = 720;
const HEIGHT = 200;
const AXIS = 28;

/**
 * Bars per day, stacked when there are several series: plain SVG (a few rects and labels), so the
 * portal carries no chart library for two charts. The figures are in the table below it and in each
 * bar's title; the chart is an image with a summary for screen readers.
 */
export function BarChart({ days, series, title }: { days: string[]; series: ChartSeries[]; title: string }) {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const max = Math.max(1, ...totals);
  const slot = (WIDTH - AXIS) / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.8);
  const y = (value: number) => ((HEIGHT - 20) * value) / max;
  const labelEvery = Math.ceil(days.length / 8);
  const colour = (i: number) => COLOURS[i % COLOURS.length];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 18}`} role="img" aria-label={`${title}: ${totals.reduce((a, b) => a + b, 0)} in all, at most ${max} on one day`}>
        <line x1={AXIS} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} stroke="#9aa3b2" />
        <text x={AXIS - 4} y={12} textAnchor="end" className="chart-label">
          {max}
        </text>
        <text x={AXIS - 4} y={HEIGHT} textAnchor="end" className="chart-label">
          0
        </text>
        {days.map((day, i) => {
          let base = HEIGHT;
          return (
            <g key={day}>
              {series.map((s, j) => {
                const height = y(s.values[i]);
                base -= height;
                return s.values[i] > 0 ? (
                  <rect key={s.key} x={AXIS + i * slot + (slot - barWidth) / 2} y={base} width={barWidth} height={height} fill={colour(j)}>
                    <title>{`${day}${series.length > 1 ? ` · ${s.label}` : ''}: ${s.values[i]}`}</title>
                  </rect>
                ) : null;
              })}
              {i % labelEvery === 0 && (
                <text x={AXIS + i * slot + slot / 2} y={HEIGHT + 14} textAnchor="middle" className="chart-label">
                  {day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <figcaption>
          <ul className="legend" aria-label={`${title}: legend`}>
            {series.map((s, j) => (
              <li key={s.key}>
                <span className="swatch" style={{ background: colour(j) }} aria-hidden="true" />
                {s.link ? <Link to={s.link}>{s.label}</Link> : s.label} <span className="muted">({s.values.reduce((a, b) => a + b, 0)})</span>
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
