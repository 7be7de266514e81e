/**
 * What a case is, looked up from a case run's workflow id (common/contracts/testing.ts caseResultIdOf): its result
 * row, the test run's plan, the planned test definition and target, and the case itself. The mocks ask for it on
 * every task call, so plans are cached per test run (a plan never changes once the run started).
 */
import type { Knex } from 'knex';
import {
  caseResultIdOf,
  type PlannedDefinition,
  type PlannedTarget,
  type TestCase,
  type TestRunPlan,
} from '../../common/contracts/testing';
import { FailureType } from '../../common/errors';
import { nonRetryable } from '../../common/errors/failures';
import { findCaseResult, findTestRun, type CaseResultRow, type TestRunRow } from '../../db/repositories/test-runs';

/** A case with everything around it. */
export interface CaseContext {
  row: CaseResultRow;
  run: TestRunRow;
  definition: PlannedDefinition;
  target: PlannedTarget;
  testCase: TestCase;
}

const PLANS_CACHED = 32;

/** Finds cases by result id or workflow id; caches test run plans. */
export class CaseContexts {
  private readonly plans = new Map<string, TestRunRow>();

  constructor(private readonly db: Knex) {}

  /** The case of a case result id; a non-retryable failure when it does not exist. */
  async byResultId(caseResultId: string): Promise<CaseContext> {
    const row = await findCaseResult(this.db, caseResultId);
    if (!row) throw nonRetryable(FailureType.NotFound, `test case result ${caseResultId} not found`);
    const run = await this.run(row.test_run_id);
    const definition = run.plan.definitions.find((d) => d.id === row.test_definition_id);
    const testCase = definition?.cases.find((c) => c.case_id === row.case_id);
    const target = definition && run.plan.targets[definition.target];
    if (!definition || !testCase || !target)
      throw nonRetryable(FailureType.NotFound, `case ${row.case_id} is not in the plan of test run ${run.id}`);
    return { row, run, definition, target, testCase };
  }

  /** The case whose run (or a child of it) has this workflow id. */
  async byWorkflowId(workflowId: string): Promise<CaseContext> {
    const id = caseResultIdOf(workflowId);
    if (!id)
      throw nonRetryable(
        FailureType.BadTaskConfig,
        `workflow ${workflowId} is not a test case run: the test task queue runs test cases only`,
      );
    return this.byResultId(id);
  }

  private async run(id: string): Promise<TestRunRow & { plan: TestRunPlan }> {
    const cached = this.plans.get(id);
    if (cached) return cached;
    const run = await findTestRun(this.db, id);
    if (!run) throw nonRetryable(FailureType.NotFound, `test run ${id} not found`);
    if (this.plans.size >= PLANS_CACHED) this.plans.delete(this.plans.keys().next().value as string);
    this.plans.set(id, run);
    return run;
  }
}
