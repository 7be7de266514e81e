/** `task`: runs a task definition as one activity (retries and timeouts are the activity's). */
import type { TaskStep } from '../../common/definitions/types';
import { taskActivities, taskActivityOptions } from '../activities';
import { evaluate, hasExpression } from '../expressions';
import type { StepExecutor } from '../runtime';
import { failure } from '../step-errors';
import { stepContext } from './context';

/** Executes a task step. */
export const taskStep: StepExecutor<TaskStep> = async (step, run, frame) => {
  const task = run.input.tasks[step.task];
  if (!task) throw failure('UnknownTask', `step "${step.id}": task "${step.task}" is not in the run's task snapshot`);
  const template = step.input ?? '{% $input %}';
  // A literal input is passed as is: no evaluation, no promise (each costs a stack capture in the sandbox).
  const input = hasExpression(template) ? await evaluate(template, run, frame, `step "${step.id}" input`) : template;
  const raw = await taskActivities(taskActivityOptions(step, task)).runTask({ task, input, ctx: stepContext(run, frame, step.id) });
  if (step.output === undefined) return { output: raw };
  return { output: await evaluate(step.output, run, frame, `step "${step.id}" output`, { output: raw }) };
};
