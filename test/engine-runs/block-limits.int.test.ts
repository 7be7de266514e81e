/**
 * Block limits as a definition author meets them: a foreach over more items than the limit fails with a
 * catchable LimitExceeded before anything runs, and the documented way around it (pages, one sub_workflow per
 * page) processes the whole list.
 */
import { randomBytes } from 'node:crypto';
import { BLOCK_LIMITS } from '../../common/definitions/limits';
import { startRun } from '../../services/runs';
import { activeWorkflow, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(180_000);
const sfx = randomBytes(3).toString('hex');
let h: RunHarness;
const N = BLOCK_LIMITS.foreachMaxItems * 2 + 500;
const items = Array.from({ length: N }, (_, i) => i + 1);

beforeAll(async () => {
  h = await startRunHarness();
  // The page worker: an ordinary foreach over one page (docs/definition-language.md, "Processing larger lists").
  await activeWorkflow(h.db, {
    workflow_id: `page-${sfx}`,
    steps: [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        steps: [{ id: 'square', type: 'set', vars: { sq: '{% $item * $item %}' } }],
      },
      {
        id: 'done',
        type: 'succeed',
        output: { count: '{% $count($steps.each.output) %}', last: '{% $steps.each.output[-1].sq %}' },
      },
    ],
  });
  await activeWorkflow(h.db, {
    workflow_id: `pages-${sfx}`,
    steps: [
      {
        id: 'pages',
        type: 'foreach',
        items: '{% $input.pages %}',
        concurrency: 2,
        steps: [{ id: 'page', type: 'sub_workflow', workflow: `page-${sfx}`, input: { items: '{% $item %}' } }],
      },
      { id: 'done', type: 'succeed', output: '{% $steps.pages.output %}' },
    ],
  });
  await activeWorkflow(h.db, {
    workflow_id: `direct-${sfx}`,
    steps: [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        steps: [{ id: 'square', type: 'set', vars: { sq: '{% $item * $item %}' } }],
        catch: [{ errors: ['LimitExceeded'], next: 'refused', into: 'why' }],
      },
      { id: 'refused', type: 'succeed', output: '{% $vars.why %}' },
    ],
  });
});

afterAll(async () => {
  await h?.close();
});

const result = async (workflowId: string, input: unknown) => {
  const run = await startRun(h.deps, { workflowId, input });
  return h.client.workflow.getHandle(run.workflowId).result();
};

it('a foreach over more items than the limit fails with LimitExceeded, which a catch clause handles', async () => {
  expect(await result(`direct-${sfx}`, { items })).toEqual({
    type: 'LimitExceeded',
    message: expect.stringContaining(`foreach over ${N} items, the limit is ${BLOCK_LIMITS.foreachMaxItems}`),
    details: { limit: 'foreachMaxItems', max: BLOCK_LIMITS.foreachMaxItems, actual: N },
    instance: '/steps/0',
  });
});

it('the same list given in pages is processed whole: a foreach over the pages, one sub_workflow per page', async () => {
  const pages = Array.from({ length: Math.ceil(N / 1000) }, (_, p) => items.slice(p * 1000, p * 1000 + 1000));
  const output = (await result(`pages-${sfx}`, { pages })) as Array<{ count: number; last: number }>;
  expect(output.map((o) => o.count)).toEqual(pages.map((p) => p.length));
  expect(output.map((o) => o.last)).toEqual(pages.map((p) => p[p.length - 1] ** 2));
  expect(output.reduce((s, o) => s + o.count, 0)).toBe(N);
});

it('expressions that add up within one workflow task end it at a step boundary and go on in the next', async () => {
  // Each iteration's expression spends a few dozen JSONata steps; 600 of them in one activation would cost tens of
  // thousands, while the activation budget ends it after BLOCK_LIMITS.expressionStepsPerActivation.
  const workflowId = `heavy-${sfx}`;
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        concurrency: 1,
        steps: [{ id: 'sum', type: 'set', vars: { s: '{% $sum($map([1..8], function($v){ $v * $item })) %}' } }],
      },
      { id: 'done', type: 'succeed', output: '{% $sum($steps.each.output.s) %}' },
    ],
  });
  const list = Array.from({ length: 600 }, (_, i) => i);
  const run = await startRun(h.deps, { workflowId, input: { items: list } });
  const handle = h.client.workflow.getHandle(run.workflowId);
  expect(await handle.result()).toBe(36 * list.reduce((s, i) => s + i, 0));
  // 600 set steps stay under the 200-steps budget per activation only three times over; the yields here come
  // from the expression steps (each activation ends after its budget of them), so there are many more.
  const markers = ((await handle.fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes);
  expect(markers.length).toBeGreaterThan(600 / BLOCK_LIMITS.stepsPerActivation + 5);
});
