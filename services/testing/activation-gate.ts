/**
 * The activation gate (#14, docs/testing.md#activation-gate): activating a workflow version through the API first
 * runs the workflow's gating test definitions (`settings.gate_activation: true`) against that version, and
 * activates only when they all pass. The plain `activateWorkflowDefinition` stays ungated for internal callers
 * (seeds, `aos apply`'s own tests, fixtures), which decide themselves whether to test.
 *
 * The tests run before the move and outside any lock; the move then re-checks the version's state as any
 * activation does, so a version that changed status meanwhile is refused as usual and nothing is half-done.
 */
import type { Config } from '../../common/config';
import type { TestCaseStatus, ExpectationResult } from '../../common/contracts/testing';
import { AppError, type FieldError } from '../../common/errors';
import { listCaseResultViews } from '../../db/repositories/test-runs';
import type { WorkflowDefinitionRow } from '../../db/repositories/workflow-definitions';
import { resolveTasks } from '../definitions/resolve';
import type { Actor, Precondition } from '../definitions/versioned';
import { activateWorkflowDefinition, workflowVersions } from '../definitions/workflow-definitions';
import { awaitTestRun, gatingDefinitions, startTestRun, type TestRunDeps } from './test-runs';

/** What the gate needs: the test run services and its time bound. */
export interface GateDeps extends TestRunDeps {
  config: Pick<Config, 'testTaskQueue' | 'activationGateTimeoutMs'>;
}

type Options = Actor & { precondition?: Precondition<WorkflowDefinitionRow> };

/** Most failing cases named in one refusal (the test run has them all). */
const MAX_NAMED_CASES = 50;

/**
 * Activates a version once its gating test definitions pass against it. 409 (problem+json with `test_run_id` and
 * one error per failing case) when a case does not pass; 503 with `test_run_id` when the run outlives
 * ACTIVATION_GATE_TIMEOUT_MS. Without gating test definitions it is `activateWorkflowDefinition`.
 */
export async function activateWithGate(
  deps: GateDeps,
  workflowId: string,
  version: string,
  opts: Options = {},
): Promise<WorkflowDefinitionRow> {
  const current = await workflowVersions.getVersion(deps.db, workflowId, version);
  opts.precondition?.(current);
  if (current.status === 'active') return current;
  // The answers of a plain activation come first: a version whose tasks do not resolve is a 422, not a test run.
  await resolveTasks(deps.db, current.definition as { steps: never[] });
  const gating = await gatingDefinitions(deps.db, workflowId);
  if (gating.length > 0) await runGate(deps, workflowId, version, opts.actor);
  return activateWorkflowDefinition(deps.db, workflowId, version, opts);
}

/** Runs the gating test definitions against the version; throws unless every case passed. */
async function runGate(deps: GateDeps, workflowId: string, version: string, actor?: string): Promise<void> {
  const target = { type: 'workflow' as const, id: workflowId, version };
  const testRunId = await startTestRun(deps, { target }, actor, { gating: true });
  const outcome = await awaitTestRun(deps, testRunId, deps.config.activationGateTimeoutMs);
  const ref = `Workflow definition ${workflowId}@${version}`;
  if (!outcome)
    throw new AppError(
      503,
      'Service Unavailable',
      `${ref} was not activated: its gating test run ${testRunId} did not end within ` +
        `${deps.config.activationGateTimeoutMs} ms (ACTIVATION_GATE_TIMEOUT_MS); it goes on, see /api/v1/test-runs/${testRunId}`,
      [],
      'about:blank',
      { test_run_id: testRunId },
    );
  if (outcome.status === 'passed') return;
  const { errors, more } = await failingCases(deps, testRunId);
  const s = outcome.summary;
  throw new AppError(
    409,
    'Conflict',
    `${ref} was not activated: its gating test run ${testRunId} ended ${outcome.status} ` +
      `(${s.passed} passed, ${s.failed} failed, ${s.error} error, ${s.skipped} skipped of ${s.total})` +
      (more > 0 ? `; ${more} more failing cases are in the test run` : ''),
    errors,
    'about:blank',
    { test_run_id: testRunId },
  );
}

/** One error per case that did not pass, in run order: `/tests/<test_id>/<case_id>` and why. */
async function failingCases(deps: GateDeps, testRunId: string): Promise<{ errors: FieldError[]; more: number }> {
  const errors: FieldError[] = [];
  let more = 0;
  let after: number | undefined;
  for (;;) {
    const rows = await listCaseResultViews(deps.db, testRunId, {}, { limit: 500, after });
    for (const row of rows) {
      if (row.status === 'passed') continue;
      if (errors.length >= MAX_NAMED_CASES) more += 1;
      else errors.push({ pointer: casePointer(row), message: caseMessage(row) });
    }
    if (rows.length < 500) return { errors, more };
    after = rows.at(-1)?.position as number;
  }
}

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
const casePointer = (row: Record<string, unknown>) =>
  `/tests/${escape(String(row.test_id))}/${escape(String(row.case_id))}`;

/** `<status>`, then the first failed expectation (pointer, expected, actual) or the case's error. */
function caseMessage(row: Record<string, unknown>): string {
  const status = row.status as TestCaseStatus;
  const assertions = (Array.isArray(row.assertions) ? row.assertions : []) as ExpectationResult[];
  const first = assertions.find((a) => !a.passed);
  const error = row.error as { type?: string; message?: string } | null;
  if (first) {
    const values =
      'expected' in first || 'actual' in first
        ? `: expected ${show(first.expected)}, actual ${show(first.actual)}`
        : `: ${first.message}`;
    return `${status}: ${first.expectation} at ${first.pointer || '/'}${values}`;
  }
  if (error) return `${status}: ${[error.type, error.message].filter(Boolean).join(': ')}`;
  return status === 'skipped' ? 'skipped: the test run was cancelled before the case ended' : status;
}

/** A value in a message, at most 200 characters. */
function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
