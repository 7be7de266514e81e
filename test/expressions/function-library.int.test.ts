/**
 * Issue #10 item 9: every JSONata built-in function gives the same answer wherever the platform evaluates it:
 * in the workflow sandbox (a `set` step of a real interpreter run), in a `transform` task (worker thread), in a
 * trigger's input mapping (the dispatcher's activity) and in plain JSONata on Node, the reference.
 */
import jsonata from 'jsonata';
import { BUILTIN_NAMES } from '../../common/expressions/library';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { eventually } from '../events/flows';
import { FUNCTION_CASES } from './function-library';

jest.setTimeout(120_000);
let h: EventsHarness;
const p = `fl${uniq()}`;
const names = Object.keys(FUNCTION_CASES);

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
});
afterAll(() => h?.close());

it('covers every built-in function', () => {
  const used = Object.values(FUNCTION_CASES).join(' ');
  expect(BUILTIN_NAMES.filter((n) => !new RegExp(`\\$${n}\\b`).test(used))).toEqual([]);
});

it('answers the same in a workflow step, a transform task, a trigger mapping and plain JSONata', async () => {
  const reference: Record<string, unknown> = {};
  for (const n of names)
    reference[n] = JSON.parse(JSON.stringify((await jsonata(FUNCTION_CASES[n]).evaluate({})) ?? null));

  await activeTask(h.db, {
    task_id: `${p}-all`,
    type: 'transform',
    config: { expression: `{ ${names.map((n) => `"${n}": (${FUNCTION_CASES[n]})`).join(', ')} }` },
  });
  await activeWorkflow(h.db, {
    workflow_id: `${p}-library`,
    steps: [
      { id: 'w', type: 'set', vars: Object.fromEntries(names.map((n) => [n, `{% ${FUNCTION_CASES[n]} %}`])) } as never,
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
    .send({
      workflowDefinitionId: `${p}-library`,
      eventPattern: `${p}.go`,
      triggerType: 'START',
      inputMapping: FUNCTION_CASES,
    })
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

  const nulls = (o: Record<string, unknown>) => Object.fromEntries(names.map((n) => [n, o[n] ?? null]));
  expect(nulls(out.workflow)).toEqual(reference);
  expect(nulls(out.transform)).toEqual(reference);
  expect(nulls(out.trigger)).toEqual(reference);
});
