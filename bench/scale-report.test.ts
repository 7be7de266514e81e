/** bench:scale's report: the slowdown of a series' largest size against its smallest, and its table. */
import { seriesLines, sizeLabel, slowdown, verdicts, type ScaleSeries } from './scale-report';

const latency = { name: 'p50', unit: 'ms', better: 'lower' as const };
const rate = { name: 'rate', unit: '/s', better: 'higher' as const };

describe('bench:scale report', () => {
  it('slowdown: latency largest/smallest, rate smallest/largest, NaN when unusable', () => {
    expect(slowdown(latency, 10, 20)).toBe(2);
    expect(slowdown(latency, 20, 10)).toBe(0.5);
    expect(slowdown(rate, 300, 100)).toBe(3);
    expect(slowdown(rate, 100, 300)).toBeCloseTo(1 / 3);
    expect(slowdown(rate, 0, 100)).toBeNaN();
    expect(slowdown(rate, 100, undefined)).toBeNaN();
  });

  it('size labels', () => {
    expect(sizeLabel(1)).toBe('1');
    expect(sizeLabel(1_000)).toBe('1k');
    expect(sizeLabel(10_000)).toBe('10k');
    expect(sizeLabel(1_500)).toBe('1.5k');
    expect(sizeLabel(10_000_000)).toBe('10M');
  });

  it('verdicts compare the last point with the first, goal 1.5x', () => {
    const s: ScaleSeries = {
      title: 't',
      sizeLabel: 'n',
      metrics: [latency, rate],
      points: [
        { label: '1', values: { p50: 10, rate: 100 } },
        { label: '10', values: { p50: 99, rate: 1 } },
        { label: '100', values: { p50: 15, rate: 60 } },
      ],
    };
    expect(verdicts(s).map((v) => [v.metric.name, v.ratio, v.met])).toEqual([
      ['p50', 1.5, true],
      ['rate', 100 / 60, false],
    ]);
    const text = seriesLines(s).join('\n');
    expect(text).toContain('| n | p50 (ms) | rate (/s) | note |');
    expect(text).toContain('| 100 | 15.0 | 60.0 |  |');
    expect(text).toContain('- p50: 100 vs 1 1.50x (goal <= 1.5x): met');
    expect(text).toContain('- rate: 100 vs 1 1.67x (goal <= 1.5x): NOT met');
  });
});
