/**
 * The bench:scale table (markdown, ready for docs/benchmarks.md): one row per series and size, and for each
 * metric how much worse its largest size is than its smallest (the goal: at most 1.5x). Pure.
 */

/** One measured figure: latencies are better lower, rates better higher. */
export interface Metric {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
}

/** A series: sizes in order (smallest first, labelled) and, per size, the value of each metric (by name). */
export interface ScaleSeries {
  title: string;
  sizeLabel: string;
  metrics: Metric[];
  points: Array<{ label: string; values: Record<string, number>; note?: string }>;
}

/** The goal: the largest size within this factor of the smallest. */
export const GOAL = 1.5;

/**
 * How many times worse the largest size is than the smallest (1 = the same, < 1 = better): latency
 * largest/smallest, rate smallest/largest. NaN when either is missing or not positive.
 */
export function slowdown(metric: Metric, smallest: number | undefined, largest: number | undefined): number {
  if (smallest === undefined || largest === undefined || !(smallest > 0) || !(largest > 0)) return NaN;
  return metric.better === 'lower' ? largest / smallest : smallest / largest;
}

/** 1234567 -> "1.2M", 10000 -> "10k", 1 -> "1". */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${+(n / 1_000).toFixed(1)}k`;
  return String(n);
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** The slowdown of every metric of a series, with the verdict. */
export function verdicts(s: ScaleSeries): Array<{ metric: Metric; ratio: number; met: boolean }> {
  const first = s.points[0];
  const last = s.points[s.points.length - 1];
  return s.metrics.map((m) => {
    const ratio = slowdown(m, first?.values[m.name], last?.values[m.name]);
    return { metric: m, ratio, met: ratio <= GOAL };
  });
}

/** The markdown lines of one series: its table and one verdict line per metric. */
export function seriesLines(s: ScaleSeries): string[] {
  const head = `| ${s.sizeLabel} | ${s.metrics.map((m) => `${m.name} (${m.unit})`).join(' | ')} | note |`;
  const rule = `|---:|${s.metrics.map(() => '---:').join('|')}|---|`;
  const rows = s.points.map(
    (p) => `| ${p.label} | ${s.metrics.map((m) => fmt(p.values[m.name])).join(' | ')} | ${p.note ?? ''} |`,
  );
  const sizes = s.points.length > 1 ? `${s.points[s.points.length - 1]!.label} vs ${s.points[0]!.label}` : '';
  const checks = verdicts(s).map(
    (v) =>
      `- ${v.metric.name}: ${sizes} ${Number.isNaN(v.ratio) ? 'n/a' : `${v.ratio.toFixed(2)}x`} (goal <= ${GOAL}x): ${
        Number.isNaN(v.ratio) ? 'not measured' : v.met ? 'met' : 'NOT met'
      }`,
  );
  return [`### ${s.title}`, '', head, rule, ...rows, '', ...checks, ''];
}
