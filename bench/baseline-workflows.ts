/**
 * The benchmark's baseline bundle: hand-written Temporal workflows doing the interpreter's work (a sequence of
 * no-op tasks, a fan-out of no-op tasks). The interpreter runs from its own production bundle (workflows/).
 * The baseline calls the very `runTask` activity the interpreter calls, with the same task snapshot, the same
 * activity options and mirroring off, so the only difference between the rows is the interpreter itself.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { StepContext, TaskDefinitionSnapshot } from '../common/definitions/types';
import { taskActivities, taskActivityOptions } from '../workflows/activities';

function runNoop(task: TaskDefinitionSnapshot, stepId: string, input: unknown): Promise<unknown> {
  const info = workflowInfo();
  const ctx: StepContext = {
    instanceId: info.workflowId,
    workflowId: info.workflowId,
    runId: info.runId,
    definitionId: 'hand-written',
    definitionVersion: '1.0.0',
    stepId,
    stepPath: stepId,
    mirror: false,
  };
  const options = taskActivityOptions({ id: stepId, type: 'task', task: task.task_id }, task);
  return taskActivities(options).runTask({ task, input, ctx });
}

/** `steps` no-op tasks one after another, each given the previous output (like the interpreter's seq10). */
export async function handWrittenSequence(task: TaskDefinitionSnapshot, steps: number): Promise<unknown> {
  let last: unknown = null;
  for (let i = 0; i < steps; i++) last = await runNoop(task, `s${i}`, { i, previous: last });
  return last;
}

/** `branches` no-op tasks at once, joined into an array (like the interpreter's par20). */
export async function handWrittenParallel(task: TaskDefinitionSnapshot, branches: number): Promise<unknown> {
  return Promise.all(Array.from({ length: branches }, (_, i) => runNoop(task, `t${i}`, { i })));
}
