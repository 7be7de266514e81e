/** `task`: runs a task definition as one activity (retries and timeouts are the activity's). */
import type { TaskStep } from '../../common/definitions/types';
import { taskActivities, taskActivityOptions } from '../activities';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';
import { failure } from '../step-errors';
import { stepContext } from './context';

/** Executes a task step. */
export const taskStep: StepExecutor<TaskStep> = async (step, run, frame) => {
  const task = run.input.tasks[step.task];
  if (!task) throw failure('UnknownTask', `step "${step.id}": task "${step.task}" is not in the run's task snapshot`);
  const input = await evaluate(step.input ?? '{% $input %}', run, frame, `step "${step.id}" input`);
  const raw = await taskActivities(taskActivityOptions(step, task)).runTask({ task, input, ctx: stepContext(run, frame, step.id) });
  if (step.output === undefined) return { output: raw };
  return { output: await evaluate(step.output, run, frame, `step "${step.id}" output`, { output: raw }) };
};
