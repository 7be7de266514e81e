import jsonata from 'jsonata';
import { templateErrors } from '../definitions/expression-check';
import { expressionError } from '../events/trigger-expressions';
import { enableLinearRegExps } from '../../workers/regexp-engine';
import { base64decode, base64encode } from './base64';
import { describeFailure, evaluate } from './engine';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits';

const failure = async (src: string, limits?: ExpressionLimits) => {
  try {
    await evaluate(src, {}, {}, limits);
  } catch (err) {
    return describeFailure(err, limits);
  }
  throw new Error(`"${src}" did not fail`);
};

describe('the expression budget', () => {
  it.each([
    ['a tail-call loop', '($f := function($n){ $f($n + 1) }; $f(0))', 'steps'],
    ['a loop inside $eval', '$eval("($f := function($n){ $f($n + 1) }; $f(0))")', 'steps'],
    ['non-tail recursion', '($f := function($n){ 1 + $f($n + 1) }; $f(0))', 'depth'],
    ['a ten-million range', '$map([1..10000000], function($v){ {"v": $v} })', 'arrayLength'],
    ['an array doubled in a loop', '($f := function($a){ $f($append($a, $a)) }; $f([1]))', 'arrayLength'],
    ['a string doubled in a loop', '($f := function($s){ $f($s & $s) }; $f("x"))', 'stringLength'],
    ['a huge $pad', '$pad("x", 1e9)', 'stringLength'],
    ['a huge $join', '($s := $pad("", 900000, "x"); $join([$s, $s]))', 'stringLength'],
    [
      'an object that reuses itself (exponential JSON)',
      '($f := function($o, $n){ $n = 0 ? $o : $f({"a": $o, "b": $o}, $n - 1) }; $f("0123456789", 40))',
      'resultSize',
    ],
    ['a large sort', '$sort([1..3000])', 'steps'],
  ])('stops %s with the limit named', async (_name, src, limit) => {
    const f = await failure(src);
    expect(f.limit).toBe(limit);
    expect(f.message).toMatch(new RegExp(`^expression budget exceeded: more than [\\d,]+ .* \\(limit "${limit}"\\)$`));
  });

  it('hands on a string longer than the string limit that the input already holds, but refuses making a new one', async () => {
    const blob = 'x'.repeat(DEFAULT_EXPRESSION_LIMITS.stringLength + 1);
    expect(await evaluate('blob', { blob }, {})).toBe(blob);
    expect(await evaluate('[$input.blob, $input.blob][1]', { blob }, { input: { blob } })).toBe(blob);
    expect((await failure('"a" & $pad("", 1000001, "x")')).limit).toBe('stringLength');
    await expect(evaluate('blob & "!"', { blob }, {})).rejects.toThrow(/limit "stringLength"/);
  });

  it('lets expressions within the budget through, and a larger budget goes further', async () => {
    expect(await evaluate('$count($map([1..300], function($v){ {"v": $v} }))', {}, {})).toBe(300);
    expect(await evaluate('$sort([1..3000])[-1]', {}, {}, { ...DEFAULT_EXPRESSION_LIMITS, steps: 100_000 })).toBe(3000);
    expect((await failure('$count($map([1..3000], function($v){ $v }))')).limit).toBe('steps');
  });

  it('stops at the same step count on every evaluation (deterministic)', async () => {
    const src = '($f := function($n){ $f($n + 1) }; $f(0))';
    const limits = { ...DEFAULT_EXPRESSION_LIMITS, steps: 1000 };
    const steps = async () => evaluate(src, {}, { probe: 0 }, limits).catch((e) => describeFailure(e, limits).message);
    expect(await steps()).toBe(await steps());
  });
});

describe('regular expressions', () => {
  it('refuses catastrophic patterns at validation, in definitions and triggers', () => {
    expect(templateErrors({ x: '{% $match($input.s, /(a+)+$/) %}' }, '/steps/0')).toEqual([
      expect.objectContaining({
        pointer: '/steps/0/x',
        code: 'invalid_expression',
        message: expect.stringContaining('catastrophic backtracking'),
      }),
    ]);
    expect(templateErrors({ x: '{% $match($input.s, /^[a-z]+$/) %}' }, '')).toEqual([]);
    expect(expressionError('$contains(payload.s, /(a*)*b/)', '/eventCondition')?.message).toContain(
      'catastrophic backtracking',
    );
  });

  it('refuses them at run time too, so $eval cannot bring one in', async () => {
    expect((await failure('$eval("$match(\\"aaaa!\\", /(a+)+$/)")')).message).toContain('catastrophic backtracking');
  });

  it('runs patterns that pass the check on the linear engine when the worker enables it', async () => {
    enableLinearRegExps();
    const started = Date.now();
    expect(await evaluate('$match($pad("", 20000, "a") & "!", /a*a*a*a*a*$/).index', {}, {})).toBe(20001);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('never runs a pattern over a string longer than 100,000 characters', async () => {
    expect((await failure('$match($pad("", 100001, "a"), /b/)')).limit).toBe('stringLength');
  });
});

describe('functions the platform provides itself', () => {
  it('base64 answers like JSONata on Node (Buffer), for any string', () => {
    const samples = [
      '',
      'a',
      'ab',
      'abc',
      'hello é',
      '€\u00ff\u0100',
      'aGVsbG8=',
      'aGV sbG8',
      'a*b-_=c',
      'Y=Q',
      'YQ==YQ==',
    ];
    for (let i = 0; i < 500; i++)
      samples.push(
        Array.from({ length: i % 13 }, (_, j) => String.fromCharCode((i * 7919 + j * 104729) % 0x3000)).join(''),
      );
    for (const s of samples) {
      expect(base64encode(s)).toBe(Buffer.from(s, 'binary').toString('base64'));
      expect(base64decode(s)).toBe(Buffer.from(s, 'base64').toString('binary'));
    }
  });

  it("$distinct (linear) answers like JSONata's own", async () => {
    const cases = [
      '[1, 1, "1", true, true, null, null]',
      '[{"a": 1, "b": [2]}, {"b": [2], "a": 1}, {"a": 1}, [1, [2]], [1, [2]], [[2], 1]]',
      '$distinct([3, 1, 3, 2, 1])',
      '{"x": [1, 2, 1]}.x',
      '[]',
      '[1]',
      '"a"',
    ];
    for (const c of cases) {
      const src = c.startsWith('$') ? c : `$distinct(${c})`;
      expect(await evaluate(src, {}, {})).toEqual(await jsonata(src).evaluate({}));
    }
  });
});
