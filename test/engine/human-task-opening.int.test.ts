/**
 * A human task's row is written (and listed to its people) by the openHumanTask activity before the run learns
 * the task's id from the activity's result. A submission arriving in between is for a task the run is opening:
 * it waits for the opening and is then judged like any other, not refused as "not open".
 */
import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  HumanTaskRejection,
  type HumanTaskSubmission,
  type OpenHumanTaskRequest,
} from '../../common/contracts/human-tasks';
import { humanTaskSubmitUpdate } from '../../workflows/api';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { createFakeActivities, type FakeLog } from './fake-activities';
import { startScenario } from './run-scenario';
import { def } from './scenarios';

const taskQueue = uniqueTaskQueue('ht-opening');
let client: Client;
let worker: RunningTestWorker;
let log: FakeLog;
/** Workflow id -> its gate: the run's openHumanTask blocks until released; `started` once it is blocked. */
const armed = new Map<string, { release?: () => void; started?: () => void }>();

function gate(workflowId: string): { release: () => void; started: Promise<void> } {
  const entry: { release?: () => void; started?: () => void } = {};
  const started = new Promise<void>((r) => (entry.started = r));
  armed.set(workflowId, entry);
  return { release: () => entry.release?.(), started };
}

beforeAll(async () => {
  const fakes = createFakeActivities();
  log = fakes.log;
  const open = fakes.activities.openHumanTask;
  client = await createTestClient();
  worker = await startTestWorker({
    taskQueue,
    activities: {
      ...fakes.activities,
      // Stands for the real activity between its row write and its result reaching the run.
      async openHumanTask(req: OpenHumanTaskRequest) {
        const entry = armed.get(req.ctx.workflowId);
        if (entry) {
          await new Promise<void>((r) => {
            entry.release = r;
            entry.started?.();
          });
        }
        return open(req);
      },
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
});

const flow = () =>
  def('ht-opening', [
    {
      id: 'review',
      type: 'human_task',
      form: { component_id: 'expense-approval' },
      title: 'Review',
      assignee: 'alice',
    },
  ]);

function submission(taskId: string, submittedBy: string): HumanTaskSubmission {
  return { taskId, action: 'approve', data: {}, submittedBy, at: new Date().toISOString() };
}

async function startGated(workflowId: string, definition = flow()) {
  const g = gate(workflowId);
  const { handle } = await startScenario(client, taskQueue, 'ht-opening', { definition }, workflowId);
  await g.started;
  return { handle, release: g.release };
}

it('a submission sent while the task is being opened waits for it and completes the task', async () => {
  const { handle, release } = await startGated(`ht-opening-wait-${Date.now()}`);
  // The fake's task id is `ht-<stepId>`: what the row would already show in the inbox.
  const update = handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission('ht-review', 'alice')] });
  await new Promise((r) => setTimeout(r, 300));
  release();
  await expect(update).resolves.toMatchObject({ status: 'completed' });
  await expect(handle.result()).resolves.toMatchObject({ action: 'approve', submitted_by: 'alice' });
  expect(log.humanTasks).toContainEqual(expect.objectContaining({ kind: 'completed', taskId: 'ht-review' }));
});

it('a submission for another task, sent while one is being opened, is refused once the opening has finished', async () => {
  const { handle, release } = await startGated(`ht-opening-other-${Date.now()}`);
  const update = handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission('ht-elsewhere', 'alice')] });
  await new Promise((r) => setTimeout(r, 300));
  release();
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(HumanTaskRejection.Closed);
  // The run's own task is still open and takes its submission.
  await expect(
    handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission('ht-review', 'alice')] }),
  ).resolves.toMatchObject({ status: 'completed' });
  await handle.result();
});
