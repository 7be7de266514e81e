/**
 * Issue #16 item 5: the functions Step Functions adds to JSONata answer the same in a workflow step (the sandbox),
 * a `transform` task (worker thread) and a trigger's input mapping (the dispatcher's activity) as the engine on
 * Node; `$uuid()` and `$random()` are deterministic in workflows (a replay of the finished run gives the values
 * it returned).
 */
import { evaluate } from '../../common/expressions/engine';
import { EXTENSION_NAMES } from '../../common/expressions/extensions';
import { queryRunState } from '../../services/runs';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { eventually } from '../events/flows';

jest.setTimeout(120_000);
let h: EventsHarness;
const p = `sf${uniq()}`;

/** Deterministic cases (the same answer everywhere), by name. */
const CASES: Readonly<Record<string, string>> = {
  partition: '$partition([1, 2, 3, 4, 5, 6, 7], 3)',
  partitionSingle: '$partition("a", 2)',
  range: '$range(0, 10, 2)',
  rangeDown: '$range(3, -3, -2)',
  hashMd5: `$hash('héllo', 'MD5')`,
  hashSha1: `$hash('héllo', 'SHA-1')`,
  hashSha256: `$hash('héllo', 'SHA-256')`,
  hashSha384: `$hash('héllo', 'SHA-384')`,
  hashSha512: `$hash('héllo', 'SHA-512')`,
  randomSeeded: '$random(42)',
  randomSeededText: `$random('order-7')`,
  parse: `$parse('{"a": [1, {"b": null}], "c": "d"}')`,
};
const names = Object.keys(CASES);

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
});
afterAll(() => h?.close());

it('covers every added function', () => {
  const used = Object.values(CASES).join(' ') + ' $uuid $random';
  expect(EXTENSION_NAMES.filter((n) => !new RegExp(`\\$${n}\\b`).test(used))).toEqual([]);
});

it('answers the same in a workflow step, a transform task and a trigger mapping as on Node', async () => {
  const reference: Record<string, unknown> = {};
  for (const n of names) reference[n] = await evaluate(CASES[n], {}, {});

  await activeTask(h.db, {
    task_id: `${p}-all`,
    type: 'transform',
    config: { expression: `{ ${names.map((n) => `"${n}": (${CASES[n]})`).join(', ')} }` },
  });
  await activeWorkflow(h.db, {
    workflow_id: `${p}-library`,
    steps: [
      { id: 'w', type: 'set', vars: Object.fromEntries(names.map((n) => [n, `{% ${CASES[n]} %}`])) } as never,
      { id: 't', type: 'task', task: `${p}-all`, input: {} } as never,
      {
        id: 'done',
        type: 'succeed',
        output: '{% { "workflow": $steps.w.output, "transform": $steps.t.output, "trigger": $input } %}',
      } as never,
    ],
  });
  await h.http
    .post('/api/v1/triggers')
    .send({ workflowDefinitionId: `${p}-library`, eventPattern: `${p}.go`, triggerType: 'START', inputMapping: CASES })
    .expect(201);
  const { eventId } = (
    await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.go`, payload: {} })
      .expect(202)
  ).body;
  const run = await eventually(
    async () =>
      await h
        .db('workflow_orchestrator_service.workflow_instances')
        .whereRaw(`trigger->>'eventId' = ?`, [eventId])
        // A pending row is written before its start reaches Temporal: result() could find no workflow yet.
        .whereNot({ status: 'pending' })
        .first(),
    30_000,
  );
  const out = (await h.temporal.workflow.getHandle(run.temporal_workflow_id).result()) as Record<
    'workflow' | 'transform' | 'trigger',
    Record<string, unknown>
  >;
  expect(out.workflow).toEqual(reference);
  expect(out.transform).toEqual(reference);
  expect(out.trigger).toEqual(reference);
});

it('gives $uuid() and $random() values that a replay of the run reproduces', async () => {
  await activeWorkflow(h.db, {
    workflow_id: `${p}-random`,
    steps: [
      {
        id: 'w',
        type: 'set',
        vars: { ids: '{% [1..3].$uuid() %}', numbers: '{% [1..3].$random() %}', seeded: '{% $random(42) %}' },
      } as never,
    ],
    output: '{% $vars %}',
  });
  const started = await h.http.post(`/api/v1/workflow-definitions/${p}-random/runs`).send({ input: {} }).expect(201);
  const handle = h.temporal.workflow.getHandle(started.body.workflow_id as string);
  const vars = (await handle.result()) as { ids: string[]; numbers: number[]; seeded: number };
  expect(new Set(vars.ids).size).toBe(3);
  for (const id of vars.ids)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(vars.seeded).toBe(await evaluate('$random(42)', {}, {}));
  // Querying a closed run replays its whole history on a worker: the values come out the same.
  const replayed = await queryRunState(h.deps, started.body.id, { replayClosed: true });
  expect(replayed.source).toBe('temporal');
  expect(replayed.variables).toEqual(vars);
});
