/** `task`: runs a task definition as one activity (retries and timeouts are the activity's). */
import type { TaskStep } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { taskActivities, taskActivityOptions } from '../activities';
import { evaluateNow, isPromise } from '../expressions';
import { checkPayloadSize } from '../payload-check';
import type { StepExecutor } from '../runtime';
import { failure } from '../step-errors';
import { stepContext } from './context';

/** Executes a task step. */
export const taskStep: StepExecutor<TaskStep> = async (step, run, frame) => {
  const task = run.input.tasks[step.task];
  if (!task)
    throw failure(FailureType.UnknownTask, `step "${step.id}": task "${step.task}" is not in the run's task snapshot`);
  // Literal inputs and plain paths are evaluated without a promise (each costs a stack capture in the sandbox).
  const evaluated = evaluateNow(step.input ?? '{% $input %}', run, frame, `step "${step.id}" input`);
  const input = isPromise(evaluated) ? await evaluated : evaluated;
  const request = { task, input, ctx: stepContext(run, frame, step.id) };
  checkPayloadSize(run, `the input of step "${step.id}" (task ${task.task_id})`, [request]);
  const raw = await taskActivities(taskActivityOptions(step, task, run.input.options?.timeScale)).runTask(request);
  if (step.output === undefined) return { output: raw };
  const output = evaluateNow(step.output, run, frame, `step "${step.id}" output`, { output: raw });
  return { output: isPromise(output) ? await output : output };
};
