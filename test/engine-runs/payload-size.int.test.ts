/**
 * Payloads over Temporal's size limit (2 MiB on the dev server) fail clearly before Temporal refuses them,
 * and the mirror never claims what Temporal did not accept: a task result fails the step as PayloadTooLarge
 * (catchable, one attempt, its task_instances row `failed` without the output), a run output over the limit
 * fails the run, and a start input over it is refused with 422 before anything is written.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../common/errors';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

const TI = 'task_execution_service.task_instances';
const WI = 'workflow_orchestrator_service.workflow_instances';
const MB = 1024 * 1024;
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(90_000);
let h: RunHarness;
const ids = {
  big: id('big'),
  caught: id('caught'),
  bigOutput: id('big-output'),
  bigInput: id('big-input'),
  plain: id('plain'),
};

beforeAll(async () => {
  h = await startRunHarness({ env: { CODE_HANDLERS_MODULE: require.resolve('./fixtures/big-handlers') } });
  await activeTask(h.db, { task_id: ids.big, type: 'code', config: { handler: 'big' } });
  await activeWorkflow(h.db, {
    workflow_id: ids.caught,
    steps: [
      {
        id: 'make',
        type: 'task',
        task: ids.big,
        input: { bytes: 3 * MB },
        catch: [{ errors: ['PayloadTooLarge'], next: 'handled', into: 'error' }],
      },
      { id: 'handled', type: 'succeed', output: '{% $vars.error.type %}' },
    ],
  } as never);
  // Each result fits; together, as the run's output, they do not.
  await activeWorkflow(h.db, {
    workflow_id: ids.bigOutput,
    steps: [
      { id: 'a', type: 'task', task: ids.big, input: { bytes: 1.2 * MB } },
      { id: 'b', type: 'task', task: ids.big, input: { bytes: 1.2 * MB } },
    ],
    output: '{% [$steps.a.output.blob, $steps.b.output.blob] %}',
  } as never);
  // Two results that fit, sent together as one task's input: caught before Temporal sees the command.
  await activeWorkflow(h.db, {
    workflow_id: ids.bigInput,
    steps: [
      { id: 'a', type: 'task', task: ids.big, input: { bytes: 1.2 * MB } },
      { id: 'b', type: 'task', task: ids.big, input: { bytes: 1.2 * MB } },
      {
        id: 'both',
        type: 'task',
        task: ids.big,
        input: { bytes: 1, a: '{% $steps.a.output.blob %}', b: '{% $steps.b.output.blob %}' },
        catch: [{ errors: ['PayloadTooLarge'], next: 'handled', into: 'error' }],
      },
      { id: 'handled', type: 'succeed', output: '{% $vars.error.message %}' },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.plain,
    steps: [{ id: 'done', type: 'succeed', output: '{% $count($input.blob) %}' }],
  } as never);
});

afterAll(() => h?.close());

describe("payloads over Temporal's size limit", () => {
  it('when a task returns 3 MB, then the step fails with PayloadTooLarge after one attempt and its row says failed, without the output', async () => {
    const res = await startRun(h.deps, { workflowId: ids.caught, input: {} });
    expect(await h.client.workflow.getHandle(res.workflowId).result()).toBe('PayloadTooLarge');
    const rows = await h
      .db(TI)
      .where({ workflow_instance_id: res.instanceId, step_id: 'make' })
      .select('status', 'attempt', 'output', 'error');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'failed',
      attempt: 1,
      output: null,
      error: { type: 'PayloadTooLarge', nonRetryable: true },
    });
    expect(rows[0].error.message).toMatch(/output is \d+ bytes encoded; Temporal accepts at most 2097152 bytes/);
  });

  it("when the run's output is over the limit, then the run fails with PayloadTooLarge and the mirror says failed", async () => {
    const res = await startRun(h.deps, { workflowId: ids.bigOutput, input: {} });
    const err = await h.client.workflow
      .getHandle(res.workflowId)
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'PayloadTooLarge' });
    const row = await h.db(WI).where({ id: res.instanceId }).first('status', 'output', 'error');
    expect(row).toMatchObject({ status: 'failed', output: null, error: { type: 'PayloadTooLarge' } });
  });

  it("when a task step's input is over the limit, then the step fails with a catchable PayloadTooLarge and no activity is scheduled", async () => {
    const res = await startRun(h.deps, { workflowId: ids.bigInput, input: {} });
    expect(await h.client.workflow.getHandle(res.workflowId).result()).toMatch(
      /the input of step "both" .* bytes encoded/,
    );
    expect(await h.db(TI).where({ workflow_instance_id: res.instanceId, step_id: 'both' }).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  it('when a start input is over the limit, then startRun refuses it with 422 at the input and writes nothing', async () => {
    const before = await h.db(WI).where({ definition_workflow_id: ids.plain }).count({ n: '*' });
    const err = await startRun(h.deps, {
      workflowId: ids.plain,
      input: { blob: 'y'.repeat(3 * MB) },
      inputPointer: '/body/input',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, errors: [{ pointer: '/body/input' }] });
    expect((err as AppError).message).toMatch(/^PayloadTooLarge/);
    expect(await h.db(WI).where({ definition_workflow_id: ids.plain }).count({ n: '*' })).toEqual(before);
    const ok = await startRun(h.deps, { workflowId: ids.plain, input: { blob: 'y' } });
    expect(await h.client.workflow.getHandle(ok.workflowId).result()).toBe(1);
  });
});
