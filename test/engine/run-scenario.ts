/** Starts a scenario on the interpreter (used by engine tests and the replay recorder). */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { InterpreterInput } from '../../common/definitions/types';
import type { interpreterWorkflow } from '../../workflows';
import type { Scenario } from './scenarios';
import { TEST_TASKS } from './tasks';

/** Builds the interpreter's start input for a scenario. */
export function scenarioInput(s: Scenario): InterpreterInput {
  return {
    instanceId: randomUUID(),
    definition: s.definition,
    tasks: TEST_TASKS,
    input: s.input ?? {},
    ...(s.correlationKey !== undefined && { correlationKey: s.correlationKey }),
    trigger: { kind: 'api' },
    ...(s.options && { options: s.options }),
    ...(s.startMirrored && { startMirrored: true }),
    ...(s.redrive && { redrive: s.redrive }),
  };
}

/** Starts `s` and runs its driver (signals, cancellation); returns the handle and the start input. */
export async function startScenario(
  client: Client,
  taskQueue: string,
  name: string,
  s: Scenario,
  workflowId?: string,
): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId<typeof interpreterWorkflow>; input: InterpreterInput }> {
  const input = scenarioInput(s);
  const handle = await client.workflow.start<typeof interpreterWorkflow>('interpreterWorkflow', {
    taskQueue,
    workflowId: workflowId ?? `${name}-${input.instanceId}`,
    args: [input],
    ...(s.priority !== undefined && { priority: { priorityKey: s.priority } }),
  });
  if (s.drive) await s.drive(handle);
  return { handle, input };
}
