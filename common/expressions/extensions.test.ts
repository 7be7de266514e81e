/** The Step Functions additions to JSONata: their answers, their argument errors and their budget. */
import { createHash } from 'node:crypto';
import { evaluate } from './engine';

const run = (expression: string, input: unknown = {}) => evaluate(expression, input, {});

describe('$partition', () => {
  it('splits an array into chunks, the last one shorter', async () => {
    expect(await run('$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)')).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(await run('$partition([1, 2, 3, 4, 5], 2)')).toEqual([[1, 2], [3, 4], [5]]);
    expect(await run('$partition([], 2)')).toEqual([]);
  });
  it('refuses a chunk size that is not a positive integer', async () => {
    await expect(run('$partition([1, 2], 0)')).rejects.toThrow(/chunk size/);
    await expect(run('$partition([1, 2], 1.5)')).rejects.toThrow(/chunk size/);
  });
});

describe('$range', () => {
  it('counts from start to end inclusive by step, also downwards', async () => {
    expect(await run('$range(0, 10, 2)')).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await run('$range(1, 3)')).toEqual([1, 2, 3]);
    expect(await run('$range(10, 0, -3)')).toEqual([10, 7, 4, 1]);
    expect(await run('$range(5, 1, 1)')).toEqual([]);
  });
  it('refuses a zero step and stops at the array limit before allocating', async () => {
    await expect(run('$range(0, 10, 0)')).rejects.toThrow(/step must not be 0/);
    await expect(run('$range(0, 1e9)')).rejects.toThrow(/arrayLength/);
  });
});

describe('$hash', () => {
  it.each(['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'])('%s equals Node crypto over UTF-8', async (algorithm) => {
    const text = 'héllo wörld 😀';
    const node = createHash(algorithm.replace('-', '').toLowerCase()).update(text, 'utf8').digest('hex');
    expect(await run(`$hash(text, '${algorithm}')`, { text })).toBe(node);
  });
  it('names the supported algorithms when given another', async () => {
    await expect(run(`$hash('x', 'SHA-3')`)).rejects.toThrow(/MD5, SHA-1, SHA-256, SHA-384, SHA-512/);
  });
});

describe('$random', () => {
  it('gives the same number for the same seed and different ones for different seeds', async () => {
    const a = await run('$random(42)');
    expect(a).toBe(await run('$random(42)'));
    expect(a).not.toBe(await run('$random(43)'));
    expect(await run(`$random('order-1')`)).toBe(await run(`$random('order-1')`));
    for (const value of [a, await run('$random()')]) {
      expect(typeof value).toBe('number');
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('$uuid', () => {
  it('makes version 4 UUIDs', async () => {
    const ids = (await run('[1..20].$uuid()')) as string[];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('$parse', () => {
  it('reads JSON text, and says when it is not JSON', async () => {
    expect(await run(`$parse('{"a": [1, 2], "b": null}')`)).toEqual({ a: [1, 2], b: null });
    expect(await run('$parse(text).n', { text: '{"n": 5}' })).toBe(5);
    await expect(run(`$parse('{')`)).rejects.toThrow(/\$parse: not JSON/);
  });
  it('keeps parsed values inside the size limits', async () => {
    const big = JSON.stringify(Array.from({ length: 200_000 }, () => 1));
    await expect(run('$parse(text)', { text: big })).rejects.toThrow(/arrayLength|resultSize/);
  });
});
