/**
 * The pure parts of the observability queries: the span tree (nesting, order, orphans, a parent cycle), the trace
 * totals, literal LIKE patterns, level selection, and which spans a step execution gets on the timeline.
 */
import { containsPattern } from '../../db/repositories/observability-queries';
import type { SpanRow } from '../../db/repositories/observability-queries';
import type { TaskInstanceRow } from '../../db/repositories/task-instances';
import { levelsOf } from './log-search';
import { linkSteps, spanStepId } from './run-timeline';
import { buildSpanTree, traceTotals, type SpanNode } from './trace-tree';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const span = (id: string, parent: string | null, from: number, ms: number | null, extra: Partial<SpanRow> = {}) =>
  ({
    id: `row-${id}`,
    trace_id: 't',
    span_id: id,
    parent_span_id: parent,
    name: id,
    service: null,
    kind: null,
    status: 'ok',
    started_at: new Date(T0 + from),
    ended_at: ms === null ? null : new Date(T0 + from + ms),
    duration_ms: ms,
    temporal_workflow_id: null,
    workflow_instance_id: null,
    attributes: {},
    events: [],
    created_at: new Date(T0),
    updated_at: new Date(T0),
    ...extra,
  }) as SpanRow;
const shape = (n: SpanNode): unknown => [n.span_id, ...(n.orphan ? ['orphan'] : []), n.children.map(shape)];

describe('buildSpanTree', () => {
  it('nests each span under its parent, siblings by start, whatever the input order', () => {
    const spans = [span('c2', 'r', 50, 5), span('r', null, 0, 100), span('c1', 'r', 10, 5), span('g', 'c1', 11, 1)];
    expect(buildSpanTree(spans).map(shape)).toEqual([
      [
        'r',
        [
          ['c1', [['g', []]]],
          ['c2', []],
        ],
      ],
    ]);
  });

  it('shows a span whose parent is not stored as a flagged root, with its own subtree', () => {
    const spans = [span('r', null, 0, 10), span('o', 'missing', 5, 10), span('oc', 'o', 6, 1)];
    expect(buildSpanTree(spans).map(shape)).toEqual([
      ['r', []],
      ['o', 'orphan', [['oc', []]]],
    ]);
  });

  it('cuts a parent cycle instead of losing its spans', () => {
    const spans = [span('a', 'b', 0, 10), span('b', 'a', 1, 5), span('self', 'self', 2, 1)];
    expect(buildSpanTree(spans).map(shape)).toEqual([
      ['a', 'orphan', [['b', []]]],
      ['self', 'orphan', []],
    ]);
  });
});

describe('traceTotals', () => {
  it('spans from the first start to the last end, counts errors and lists services once', () => {
    const spans = [
      span('a', null, 0, 100, { service: 'api' }),
      span('b', 'a', 50, 500, { service: 'worker', status: 'error' }),
      span('c', 'a', 60, null, { service: 'api' }),
    ];
    expect(traceTotals(spans)).toEqual({
      span_count: 3,
      started_at: new Date(T0),
      ended_at: new Date(T0 + 550),
      duration_ms: 550,
      services: ['api', 'worker'],
      error_count: 1,
    });
    expect(traceTotals([span('open', null, 0, null)])).toMatchObject({ ended_at: null, duration_ms: null });
  });
});

describe('containsPattern', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(containsPattern('100%')).toBe('%100\\%%');
    expect(containsPattern('a_b')).toBe('%a\\_b%');
    expect(containsPattern('c:\\temp')).toBe('%c:\\\\temp%');
  });
});

describe('levelsOf', () => {
  it('keeps exact levels, a minimum, or their intersection', () => {
    expect(levelsOf({})).toBeUndefined();
    expect(levelsOf({ level: 'warn' })).toEqual(['warn']);
    expect(levelsOf({ minLevel: 'warn' })).toEqual(['warn', 'error', 'fatal']);
    expect(levelsOf({ level: 'debug,error', minLevel: 'info' })).toEqual(['error']);
    expect(levelsOf({ level: 'debug', minLevel: 'warn' })).toEqual([]);
    expect(() => levelsOf({ level: 'loud' })).toThrow(/unknown log level/);
  });
});

describe('linkSteps', () => {
  const task = (id: string, step: string, from: number, to: number) =>
    ({
      id,
      step_id: step,
      step_path: null,
      step_type: 'task',
      task_id: null,
      status: 'completed',
      attempt: 1,
      execution_key: id,
      started_at: new Date(T0 + from),
      completed_at: new Date(T0 + to),
      duration_ms: to - from,
      created_at: new Date(T0 + from),
    }) as TaskInstanceRow;

  it('finds the step by the aos.step_id attribute or a `step <id>` name', () => {
    expect(spanStepId({ name: 'RunActivity:runTask', attributes: { 'aos.step_id': 'pay' } })).toBe('pay');
    expect(spanStepId({ name: 'step pay', attributes: {} })).toBe('pay');
    expect(spanStepId({ name: 'POST /events', attributes: {} })).toBeUndefined();
  });

  it('gives each execution of a repeated step the spans overlapping it', () => {
    const spans = [span('s1', null, 0, 100, { name: 'step each' }), span('s2', null, 5000, 100, { name: 'step each' })];
    const linked = linkSteps([task('b', 'each', 5000, 5100), task('a', 'each', 0, 100)], spans);
    expect(linked.map((s) => [s.id, s.span_ids])).toEqual([
      ['a', ['s1']],
      ['b', ['s2']],
    ]);
  });
});
