/**
 * Hand-made SVG charts (no chart library: the dashboard stays ~90 KB gzipped, React included). Each chart is
 * a <figure> with a text summary for screen readers and a table fallback via `title`.
 */
import { useId } from "react";

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
  dashed?: boolean;
}

const W = 640;
const H = 200;
const PAD = { left: 48, right: 28, top: 12, bottom: 26 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (max <= m * p) return m * p;
  return 10 * p;
}

function xLabels(times: string[], every: number, format: (t: string) => string) {
  return times.map((t, i) => (i % every === 0 ? format(t) : null));
}

export function timeLabel(bucketSeconds: number) {
  return (iso: string) => {
    const d = new Date(iso);
    if (bucketSeconds >= 86400)
      return d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
    if (bucketSeconds >= 6 * 3600)
      return `${d.toLocaleDateString("en-US", { month: "short", day: "numeric" })} ${d.toLocaleTimeString("en-US", { hour: "2-digit" })}`;
    return d.toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit" });
  };
}

function Axes({
  max,
  labels,
  format,
}: {
  max: number;
  labels: (string | null)[];
  format: (v: number) => string;
}) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = labels.length > 1 ? plotW / (labels.length - 1) : 0;
  return (
    <g className="axes">
      {[0, 0.25, 0.5, 0.75, 1].map((f) => {
        const y = PAD.top + plotH * (1 - f);
        return (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="grid" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {format(max * f)}
            </text>
          </g>
        );
      })}
      {labels.map((l, i) =>
        l === null ? null : (
          // biome-ignore lint/suspicious/noArrayIndexKey: axis ticks are positional
          <text key={`${l}-${i}`} x={PAD.left + step * i} y={H - 6} textAnchor="middle">
            {l}
          </text>
        ),
      )}
    </g>
  );
}

export function LineChart({
  title,
  times,
  series,
  format = (v) => String(Math.round(v)),
  labelFormat,
  fixedMax,
}: {
  title: string;
  times: string[];
  series: Series[];
  format?: (v: number) => string;
  labelFormat: (t: string) => string;
  fixedMax?: number;
}) {
  const id = useId();
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = fixedMax ?? niceMax(Math.max(0, ...values));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = times.length > 1 ? plotW / (times.length - 1) : 0;
  const every = Math.max(1, Math.ceil(times.length / 8));
  const point = (v: number, i: number) =>
    `${PAD.left + step * i},${PAD.top + plotH * (1 - Math.min(v, max) / max)}`;
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary(title, series, format)}>
        <Axes max={max} labels={xLabels(times, every, labelFormat)} format={format} />
        {series.map((s) => {
          // Gaps (null) split the line instead of dropping to zero.
          const runs: string[][] = [[]];
          s.values.forEach((v, i) => {
            if (v === null) runs.push([]);
            else runs[runs.length - 1].push(point(v, i));
          });
          return runs
            .filter((r) => r.length)
            .map((r) =>
              r.length === 1 ? (
                <circle
                  key={`${s.name}-${r[0]}`}
                  cx={r[0].split(",")[0]}
                  cy={r[0].split(",")[1]}
                  r={2.5}
                  fill={s.color}
                />
              ) : (
                <polyline
                  key={`${s.name}-${r[0]}`}
                  points={r.join(" ")}
                  fill="none"
                  stroke={s.color}
                  strokeWidth={2}
                  strokeDasharray={s.dashed ? "5 4" : undefined}
                />
              ),
            );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function StackedBars({
  title,
  times,
  series,
  labelFormat,
}: {
  title: string;
  times: string[];
  series: Series[];
  labelFormat: (t: string) => string;
}) {
  const id = useId();
  const totals = times.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, times.length);
  const barW = Math.max(1, slot * 0.7);
  const every = Math.max(1, Math.ceil(times.length / 8));
  const labels = xLabels(times, every, labelFormat);
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary(title, series, (v) => String(v))}>
        <g className="axes">
          {[0, 0.5, 1].map((f) => {
            const y = PAD.top + plotH * (1 - f);
            return (
              <g key={f}>
                <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="grid" />
                <text x={PAD.left - 6} y={y + 4} textAnchor="end">
                  {(max < 5 ? Number((max * f).toFixed(1)) : Math.round(max * f)).toLocaleString("en-US")}
                </text>
              </g>
            );
          })}
          {labels.map((l, i) =>
            l === null ? null : (
              // biome-ignore lint/suspicious/noArrayIndexKey: axis ticks are positional
              <text key={`${l}-${i}`} x={PAD.left + slot * i + slot / 2} y={H - 6} textAnchor="middle">
                {l}
              </text>
            ),
          )}
        </g>
        {times.map((t, i) => {
          let y = PAD.top + plotH;
          return (
            <g key={t}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const h = (v / max) * plotH;
                y -= h;
                return v > 0 ? (
                  <rect
                    key={s.name}
                    x={PAD.left + slot * i + (slot - barW) / 2}
                    y={y}
                    width={barW}
                    height={h}
                    fill={s.color}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function HBars({
  title,
  items,
  format = (v) => v.toLocaleString("en-US"),
}: {
  title: string;
  items: { label: string; value: number; note?: string | null }[];
  format?: (v: number) => string;
}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <figure className="chart hbars">
      <figcaption>{title}</figcaption>
      {items.length === 0 ? (
        <p className="empty">None in this range.</p>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={item.label}>
              <div className="hbar-row">
                <span className="hbar-label">{item.label}</span>
                <span className="hbar-track" aria-hidden="true">
                  <span className="hbar-fill" style={{ width: `${(item.value / max) * 100}%` }} />
                </span>
                <span className="hbar-value">{format(item.value)}</span>
              </div>
              {item.note && <div className="hbar-note">{item.note}</div>}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

export function Meter({ value, max, label }: { value: number; max: number | null; label: string }) {
  if (!max) return <span className="muted">no cap</span>;
  const pct = Math.min(100, (value / max) * 100);
  const tone = pct >= 90 ? "bad" : pct >= 70 ? "warn" : "good";
  return (
    <span className="meter" title={`${value.toLocaleString("en-US")} of ${max.toLocaleString("en-US")}`}>
      <span className="meter-track" aria-hidden="true">
        <span className={`meter-fill meter-${tone}`} style={{ width: `${pct}%` }} />
      </span>
      <span className="meter-text">
        <span className="sr-only">{label}: </span>
        {pct.toFixed(pct < 10 ? 1 : 0)}%
      </span>
    </span>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.name}>
          <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function summary(title: string, series: Series[], format: (v: number) => string): string {
  const parts = series.map((s) => {
    const vs = s.values.filter((v): v is number => v !== null);
    if (!vs.length) return `${s.name}: no data`;
    return `${s.name}: latest ${format(vs[vs.length - 1])}, peak ${format(Math.max(...vs))}`;
  });
  return `${title}. ${parts.join("; ")}.`;
}
