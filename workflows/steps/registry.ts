/** The explicit registry of step executors: one per step type, no dispatch by arbitrary names. */
import type { Step, StepType } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { failure } from '../step-errors';
import type { StepExecutor } from '../runtime';
import { delayStep } from './delay';
import { emitEventStep } from './emit-event';
import { failStep } from './fail';
import { foreachStep } from './foreach';
import { humanTaskStep } from './human-task';
import { parallelStep } from './parallel';
import { setStep } from './set';
import { subWorkflowStep } from './sub-workflow';
import { succeedStep } from './succeed';
import { switchStep } from './switch';
import { taskStep } from './task';
import { waitForEventStep } from './wait-for-event';

type Registry = { [T in StepType]: StepExecutor<Extract<Step, { type: T }>> };

const registry: Registry = {
  task: taskStep,
  switch: switchStep,
  parallel: parallelStep,
  foreach: foreachStep,
  wait_for_event: waitForEventStep,
  delay: delayStep,
  set: setStep,
  sub_workflow: subWorkflowStep,
  emit_event: emitEventStep,
  human_task: humanTaskStep,
  succeed: succeedStep,
  fail: failStep,
};

/** The executor of `step`'s type; an unknown type is a non-retryable failure (validation prevents it). */
export function executorFor(step: Step): StepExecutor {
  const executor = Object.prototype.hasOwnProperty.call(registry, step.type)
    ? (registry[step.type] as StepExecutor)
    : undefined;
  if (!executor)
    throw failure(FailureType.InvalidDefinition, `step "${step.id}" has unknown type "${String(step.type)}"`);
  return executor;
}
