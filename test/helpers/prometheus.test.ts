import { sampleValue } from './prometheus';

describe('sampleValue', () => {
  const text = [
    '# HELP aos_x_total x',
    '# TYPE aos_x_total counter',
    'aos_x_total{definition="a"} 2',
    'aos_x_total{definition="b",other="q\\"uote"} 3',
    'aos_x_total_more 9',
    'aos_y 7',
  ].join('\n');

  it('sums the samples whose labels match, and answers 0 when none does', () => {
    expect(sampleValue(text, 'aos_x_total')).toBe(5);
    expect(sampleValue(text, 'aos_x_total', { definition: 'a' })).toBe(2);
    expect(sampleValue(text, 'aos_x_total', { other: 'q"uote' })).toBe(3);
    expect(sampleValue(text, 'aos_x_total', { definition: 'c' })).toBe(0);
    expect(sampleValue(text, 'aos_y')).toBe(7);
    expect(sampleValue(text, 'aos_z')).toBe(0);
  });
});
