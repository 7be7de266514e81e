/**
 * `testTask`: the single-task test (docs/testing.md, "Testing one task"). One attempt of a task through the very
 * `runTask` every task step uses (registry, executors, egress rules, code handlers, credentials), with mirroring
 * off, plus the input and output schema checks reported field by field. The output schema is checked here rather
 * than inside runTask so a result that fails it is still shown. A task failure is an answer, never a thrown one.
 */
import { Context } from '@temporalio/activity';
import type { TaskActivities } from '../../common/contracts/tasks';
import type {
  TaskSchemaCheck,
  TaskTestActivities,
  TaskTestError,
  TaskTestRequest,
  TaskTestResult,
} from '../../common/contracts/testing';
import type { StepContext, TaskDefinitionSnapshot } from '../../common/definitions/types';
import { FailureType } from '../../common/errors';
import { toFailure } from '../tasks/failures';
import { checkSchema } from '../tasks/schema-check';

/** What the test activity runs tasks with: the worker's own `runTask`. */
export interface TaskTestActivityDeps {
  runTask: TaskActivities['runTask'];
}

/** The step id (and ltree path) a tested task runs under. */
export const TASK_TEST_STEP_ID = 'task_test';

/** The failure as a `catch` would see it: type, message and the single details entry. */
export function describeTestFailure(err: unknown): TaskTestError {
  const f = toFailure(err);
  const details: unknown[] = Array.isArray(f.details) ? f.details : [];
  return {
    type: f.type ?? FailureType.Error,
    message: f.message,
    retryable: f.nonRetryable !== true,
    ...(details.length > 0 && { details: details.length === 1 ? details[0] : details }),
  };
}

type CheckOutcome = { check: TaskSchemaCheck; error?: TaskTestError };

/** Checks one side; a SchemaViolation becomes the list of its errors, any other failure (bad schema) the error. */
function check(task: TaskDefinitionSnapshot, side: 'input' | 'output', value: unknown): CheckOutcome {
  try {
    checkSchema(task, side, value);
    return { check: { valid: true, errors: [] } };
  } catch (err) {
    const error = describeTestFailure(err);
    const listed = (error.details as { errors?: TaskSchemaCheck['errors'] } | undefined)?.errors;
    const errors =
      error.type === FailureType.SchemaViolation && listed ? listed : [{ pointer: `/${side}`, message: error.message }];
    return { check: { valid: false, errors: errors.map(({ pointer, message }) => ({ pointer, message })) }, error };
  }
}

/** The context a tested task sees: the test workflow's ids, no instance, mirroring off (no task_instances rows). */
function testContext(task: TaskDefinitionSnapshot): StepContext {
  const { workflowExecution, activityId } = Context.current().info;
  const workflowId = workflowExecution?.workflowId ?? activityId;
  return {
    instanceId: workflowId,
    workflowId,
    runId: workflowExecution?.runId ?? '',
    definitionId: `task-test:${task.task_id}`,
    definitionVersion: task.version,
    stepId: TASK_TEST_STEP_ID,
    stepPath: TASK_TEST_STEP_ID,
    mirror: false,
  };
}

/** Builds the `testTask` activity over the worker's runTask. */
export function createTaskTestActivities({ runTask }: TaskTestActivityDeps): TaskTestActivities {
  return {
    async testTask({ task, input }: TaskTestRequest): Promise<TaskTestResult> {
      const startedAt = new Date();
      const started = performance.now();
      const inputCheck = check(task, 'input', input).check;
      const about = { task_id: task.task_id, version: task.version, type: task.type };
      const done = (r: Pick<TaskTestResult, 'status' | 'output' | 'error' | 'output_check'>): TaskTestResult => ({
        ...r,
        input_check: inputCheck,
        duration_ms: Math.round(performance.now() - started),
        started_at: startedAt.toISOString(),
        task: about,
      });
      let output: unknown;
      try {
        // runTask checks the input itself (an invalid one fails as SchemaViolation, the executor never runs).
        const { output_schema: _checkedBelow, ...withoutOutputSchema } = task;
        output = await runTask({ task: withoutOutputSchema, input, ctx: testContext(task) });
      } catch (err) {
        // A cancelled test (its workflow was cancelled or timed out) ends as the activity's failure.
        if (Context.current().cancellationSignal.aborted) throw err;
        return done({ status: 'failed', error: describeTestFailure(err) });
      }
      const out = check(task, 'output', output);
      return done({
        status: out.error ? 'failed' : 'succeeded',
        output,
        output_check: out.check,
        ...(out.error && { error: out.error }),
      });
    },
  };
}
