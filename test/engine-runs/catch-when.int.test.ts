/**
 * Issue #16 item 3: errors carry the JSON pointer of the step that raised them (`instance`) and, for HTTP
 * failures, the status; `catch` clauses filter on them with `when`: a 404 is caught, a 503 goes through.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queryRunState, startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(120_000);
let h: RunHarness;
let server: Server;
let base: string;
let calls = 0;
const p = `cw${Date.now().toString(36)}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await startRunHarness();
  await activeTask(h.db, {
    task_id: `${p}-get`,
    type: 'http',
    config: { url: `${base}/customers?status={% $input.status %}` },
    retry_policy: { max_attempts: 2, initial_interval: '10ms' },
  });
  await activeWorkflow(h.db, {
    workflow_id: `${p}-flow`,
    steps: [
      {
        id: 'fetch',
        type: 'task',
        task: `${p}-get`,
        catch: [
          { errors: ['UnexpectedStatus'], when: '{% $error.status = 404 %}', next: 'create', into: 'missing' },
          { errors: ['*'], when: '{% $error.status = 418 and $input.teapot %}', next: 'teapot' },
        ],
      },
      { id: 'found', type: 'succeed', output: { found: true } },
      { id: 'create', type: 'succeed', output: '{% { "created": true, "why": $vars.missing } %}' },
      { id: 'teapot', type: 'succeed', output: { teapot: true } },
    ] as never,
  });
});
afterAll(async () => {
  await h?.close();
  server?.close();
});

async function run(workflowId: string, input: unknown): Promise<{ id: string; result: Promise<unknown> }> {
  const started = await startRun(h.deps, { workflowId, input });
  return { id: started.instanceId, result: h.client.workflow.getHandle(started.workflowId).result() };
}

it('catches a 404 through its when clause, with the status and the raising step in the error', async () => {
  const out = await (await run(`${p}-flow`, { status: 404 })).result;
  expect(out).toEqual({
    created: true,
    why: expect.objectContaining({ type: 'UnexpectedStatus', status: 404, instance: '/steps/0' }),
  });
});

it('lets a 503 through: no clause matches, the run fails with the status and the pointer', async () => {
  const before = calls;
  const { id, result } = await run(`${p}-flow`, { status: 503 });
  await expect(result).rejects.toMatchObject({ cause: { type: 'UnexpectedStatus' } });
  expect(calls - before).toBe(2); // retried as a 5xx, then uncaught
  const row = await h.db('workflow_orchestrator_service.workflow_instances').where({ id }).first();
  expect(row.error).toMatchObject({ type: 'UnexpectedStatus', status: 503, instance: '/steps/0' });
});

it('evaluates when over the run too, and tries clauses in order', async () => {
  await expect((await run(`${p}-flow`, { status: 418, teapot: true })).result).resolves.toEqual({ teapot: true });
  await expect((await run(`${p}-flow`, { status: 418, teapot: false })).result).rejects.toMatchObject({
    cause: { type: 'UnexpectedStatus' },
  });
});

it('names the innermost step in nested blocks, as seen by the enclosing catch', async () => {
  await activeWorkflow(h.db, {
    workflow_id: `${p}-nested`,
    steps: [
      { id: 'prepare', type: 'set', vars: { n: 1 } },
      {
        id: 'checks',
        type: 'parallel',
        branches: [
          { id: 'a', steps: [{ id: 'ok', type: 'set', vars: { a: 1 } }] },
          {
            id: 'b',
            steps: [
              {
                id: 'each',
                type: 'foreach',
                items: '{% [1, 2] %}',
                steps: [
                  { id: 'x', type: 'set', vars: { x: 1 } },
                  { id: 'boom', type: 'fail', error: 'Broken', message: 'item {% $item %}' },
                ],
              },
            ],
          },
        ],
        catch: [
          { errors: ['Broken'], when: "{% $error.instance = '/steps/1/branches/1/steps/0/steps/1' %}", next: 'report' },
        ],
      },
      { id: 'unreached', type: 'succeed' },
      { id: 'report', type: 'succeed', output: '{% $steps.checks.error %}' },
    ] as never,
  });
  const { id, result } = await run(`${p}-nested`, {});
  await expect(result).resolves.toMatchObject({
    type: 'Broken',
    instance: '/steps/1/branches/1/steps/0/steps/1',
  });
  const state = await queryRunState(h.deps, id, { replayClosed: true });
  expect(state.source).toBe('temporal');
});
