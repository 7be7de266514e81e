/**
 * Contract of the testing framework (#14, docs/testing.md): the test definition format, the results a test run
 * records, and the names shared by the API, the test worker and the CLI. Types and constants only: sandbox-safe.
 *
 * A test run executes each case of a workflow target as a real interpreter run on the test task queue
 * (config TEST_TASK_QUEUE), where the task activities are mocks (activities/testing/): no case has side effects.
 * A case's run carries `options.timeScale` (the compressed clock) and `options.recordTrail` (the path and switch
 * branches, answered by the aosState query), so everything the expectations need is in its history.
 */
import type { TaskDefinitionSnapshot, WorkflowDefinition } from '../definitions/types';

/** What a test definition tests. */
export type TestTargetType = 'workflow' | 'task';

/** A task without a mock: the case fails (`fail`, the default) or the task runs for real (`run`). */
export type UnmockedPolicy = 'fail' | 'run';

/** A test definition document (the body of `POST /api/v1/test-definitions`, or a file for `aos apply`). */
export interface TestDefinitionDocument {
  $schema?: string;
  test_id: string;
  version: string;
  name: string;
  description?: string | null;
  status?: 'draft' | 'active' | 'deprecated';
  target_type: TestTargetType;
  /** The target's business id: a workflow_id or a task_id. */
  target_id: string;
  /** A pinned version of the target; absent = the target's current version when a test run starts. */
  target_version?: string | null;
  test_cases: TestCase[];
  settings?: TestSettings;
}

/** Settings of a test definition (each case may override the per-case ones). */
export interface TestSettings {
  /** Cases of this definition running at once [4, at most 16]. */
  concurrency?: number;
  /** Default clock compression of its cases [1000]: definition durations run this many times faster. */
  time_scale?: number;
  /** Real (wall-clock) time a case may take before it errors [`60s`]. */
  case_timeout?: string;
  /** Default for tasks without a mock [`fail`]. */
  unmocked?: UnmockedPolicy;
  /** Activating a version of the target workflow requires this test definition to pass against it [false]. */
  gate_activation?: boolean;
}

/** One case: an input, mocks, what to send the run while it runs, and what to expect. */
export interface TestCase {
  case_id: string;
  name?: string;
  tags?: string[];
  /** The run's input (`$input`). */
  input?: unknown;
  /**
   * Start the run as the target's START trigger would for this event (its condition, input mapping and correlation
   * key, the first enabled trigger in priority order that accepts it) instead of with `input`.
   */
  start_event?: TestStartEvent;
  /** The run's correlation key when it is not started by `start_event` (CANCEL triggers compare it). */
  correlation_key?: string;
  time_scale?: number;
  case_timeout?: string;
  unmocked?: UnmockedPolicy;
  mocks?: TaskMock[];
  events?: TestEvent[];
  human_tasks?: TestHumanTaskSubmission[];
  expect?: TestExpectations;
}

/** The event a case's run is started by (through the target's START triggers). */
export interface TestStartEvent {
  event: string;
  payload?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** What a mocked task answers on one attempt. Exactly one of `output` and `error` (neither = output null). */
export interface MockResponse {
  output?: unknown;
  error?: MockError;
  /** Simulated time the attempt takes (compressed like every duration); longer than the attempt's timeout = Timeout. */
  delay?: string;
}

/** A mocked failure, raised as the task's error (`catch` and retry policies see `type`). */
export interface MockError {
  type: string;
  message?: string;
  details?: unknown;
  /** false = not retried whatever the retry policy says [true]. */
  retryable?: boolean;
}

/**
 * A mock of a task step (`step`: a step id, matching every execution of that step, nested ones included) or of a
 * task definition (`task`: a task_id, matching every step that runs it). A step mock wins over a task mock; of
 * several, the first whose `when` holds. `attempts` answers per attempt (the last one repeats); `real` runs the task.
 */
export interface TaskMock extends MockResponse {
  step?: string;
  task?: string;
  /** JSONata over `{ input, attempt, step, path }` (the task's input, 1-based attempt, step id, ltree step path). */
  when?: string;
  attempts?: MockResponse[];
  real?: boolean;
}

/**
 * An event sent to the case's run: at its start, or once the run is at `at_step` (a wait_for_event or human_task
 * step, or any step id: when it starts running), then `after` a simulated duration. Delivered to the run only
 * (signal), never published: it reaches no other run.
 */
export interface TestEvent {
  event: string;
  payload?: unknown;
  /** Matched against the wait's correlation (metadata.correlationKey). */
  correlation?: string;
  metadata?: Record<string, unknown>;
  at_step?: string;
  after?: string;
}

/** A submission of a human_task step's form, once the step's task is open (then `after` a simulated duration). */
export interface TestHumanTaskSubmission {
  step: string;
  user: string;
  action: string;
  data?: Record<string, unknown>;
  after?: string;
}

/** Expectations of a case; each one failing is reported with its pointer, expected and actual. */
export interface TestExpectations {
  /** Final status of the run [`completed`]. */
  status?: 'completed' | 'failed' | 'cancelled';
  /** With `start_event`: whether a START trigger starts the run [true]; false = no trigger accepts the event. */
  started?: boolean;
  /** The output, deep-equal. */
  output?: unknown;
  /** The output contains this (objects: these keys recursively; arrays: element-wise). */
  output_contains?: unknown;
  /** JSONata assertions over `{ status, output, error, steps, path, events, duration_ms }`; each must be true. */
  assert?: string | string[];
  error?: { type?: string; message_contains?: string };
  /** Step ids in the order they started, exactly. */
  path?: string[];
  /** These step ids appear in this order (others may come between). */
  path_contains?: string[];
  /** Steps never run. */
  path_excludes?: string[];
  /** `$steps.<id>.output` contains this, per step id. */
  steps?: Record<string, unknown>;
  /** Events the run emitted (emit_event), in order; `payload` is a containment match. */
  events?: Array<{ event: string; payload?: unknown }>;
  /** Upper bound on the run's simulated duration (real duration x time scale), e.g. `3d`. */
  max_duration?: string;
}

/** Status of a test run (test_runs.status). */
export type TestRunStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'cancelled';

/** Status of a case result (test_case_results.status); `skipped` = the run was cancelled before it finished. */
export type TestCaseStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error' | 'skipped';

/** One checked expectation. */
export interface ExpectationResult {
  /** The expectation's key, e.g. `output`, `path`, `assert[1]`. */
  expectation: string;
  /** JSON pointer of the mismatch in the actual result, e.g. `/output/total`. */
  pointer: string;
  passed: boolean;
  expected?: unknown;
  actual?: unknown;
  message: string;
}

/** Coverage of a workflow target by the cases of a test run. */
export interface TestCoverage {
  /** Every step (nested ones included) by id. */
  steps: CoverageFigure;
  /** Every switch branch: `<switch id>#<case index>` and `<switch id>#default`. */
  branches: CoverageFigure;
}

/** Counts, percentage (0-100, one decimal) and what was never reached. */
export interface CoverageFigure {
  total: number;
  visited: number;
  percent: number;
  unreached: string[];
}

/** test_runs.summary: counts per case status, kept current while the run goes (live progress). */
export interface TestRunSummary {
  total: number;
  pending: number;
  running: number;
  passed: number;
  failed: number;
  error: number;
  skipped: number;
}

/** What to run (`POST /api/v1/test-runs`): exactly one selector. */
export interface TestRunRequest {
  /** A test definition row (one version). */
  test_definition_id?: string;
  /** A test definition by business id (its current version). */
  test_id?: string;
  /** Every case with this tag, across the current versions of all test definitions. */
  tag?: string;
  /** Every test definition of this target. `version` = test against that version instead of each one's own. */
  target?: { type: TestTargetType; id: string; version?: string };
  /** Cases running at once across the whole test run [4, at most 16]. */
  concurrency?: number;
}

/** Workflow id of a case's run: the mocks find their case by the root of a workflow id (children add `/<path>`). */
export function caseWorkflowId(caseResultId: string): string {
  return `${TEST_CASE_WORKFLOW_PREFIX}${caseResultId}`;
}

/** Prefix of case run workflow ids. */
export const TEST_CASE_WORKFLOW_PREFIX = 'aos-test-case.';

/** The case result id of a case run's (or its child's) workflow id, or undefined for any other workflow. */
export function caseResultIdOf(workflowId: string): string | undefined {
  if (!workflowId.startsWith(TEST_CASE_WORKFLOW_PREFIX)) return undefined;
  return workflowId.slice(TEST_CASE_WORKFLOW_PREFIX.length).split('/')[0];
}

/** Workflow id of a test run's orchestration workflow. */
export function testRunWorkflowId(testRunId: string): string {
  return `aos-test-run.${testRunId}`;
}

/** The AosTrigger search attribute of case runs. */
export const TEST_TRIGGER_KIND = 'test';

/** Branch label of a switch's case `index` (or `default`), as recorded in a run's trail. */
export function branchLabel(switchId: string, branch: number | 'default' | 'none'): string {
  return `${switchId}#${branch}`;
}

/** A target resolved when a test run starts: the exact snapshot every case of it runs against. */
export type PlannedTarget =
  | {
      type: 'workflow';
      id: string;
      version: string;
      definitionRowId: string;
      definition: WorkflowDefinition;
      tasks: Record<string, TaskDefinitionSnapshot>;
      /** The workflow's enabled triggers when the run started (start_event, and CANCEL triggers on case events). */
      triggers: PlannedTrigger[];
    }
  | { type: 'task'; id: string; version: string; task: TaskDefinitionSnapshot };

/** A trigger of a workflow target, as a test run applies it to its cases' events. */
export interface PlannedTrigger {
  trigger_id: string;
  trigger_type: 'START' | 'CANCEL';
  event_pattern: string;
  event_condition: string | null;
  correlation_key: string | null;
  input_mapping: Record<string, unknown> | null;
  priority: number;
}

/** A test definition version as a test run runs it (only the cases selected). */
export interface PlannedDefinition {
  id: string;
  test_id: string;
  version: string;
  /** Key of its target in {@link TestRunPlan.targets}. */
  target: string;
  settings: TestSettings;
  cases: TestCase[];
}

/** test_runs.plan: what the run tests, fixed when it starts. */
export interface TestRunPlan {
  definitions: PlannedDefinition[];
  /** By `<type>:<id>@<version>` (targetKey). */
  targets: Record<string, PlannedTarget>;
}

/** Key of a target in a plan. */
export function targetKey(type: TestTargetType, id: string, version: string): string {
  return `${type}:${id}@${version}`;
}

/** Coverage of one workflow target (test_runs.coverage is a list of these). */
export interface TargetCoverage extends TestCoverage {
  target_id: string;
  target_version: string;
}

/** Input of `testRunWorkflow`. */
export interface TestRunWorkflowInput {
  testRunId: string;
}

/** What a finished test run reports (also the workflow's result). */
export interface TestRunOutcome {
  status: TestRunStatus;
  summary: TestRunSummary;
}

/** The test run's activities (activities/testing/), on the test task queue. */
export interface TestRunActivities {
  /** Marks the run running; answers its case result ids in order and its concurrency. */
  beginTestRun(req: { testRunId: string }): Promise<{ caseResultIds: string[]; concurrency: number }>;
  /** Runs one case to its result row (idempotent: a retry re-attaches to the case's run). */
  runTestCase(req: { testRunId: string; caseResultId: string }): Promise<TestCaseStatus>;
  /** Status, summary and coverage of the run; `cancelled` marks unfinished cases skipped. */
  finishTestRun(req: { testRunId: string; cancelled?: boolean }): Promise<TestRunOutcome>;
}

/** Workflow type name of the test run workflow. */
export const TEST_RUN_WORKFLOW_TYPE = 'testRunWorkflow';
// ---- Single-task test (TestState-like): one task definition, once, through its real executor ----

/** Prefix of the workflow ids of single-task tests (`taskTestWorkflow`). */
export const TASK_TEST_WORKFLOW_PREFIX = 'aos-task-test.';

/** What `taskTestWorkflow` and its `testTask` activity run: a task snapshot, its input, the attempt's bounds. */
export interface TaskTestRequest {
  /** The snapshot a run would carry (services/definitions toTaskSnapshot). */
  task: TaskDefinitionSnapshot;
  input: unknown;
  /** Start-to-close of the one attempt (the task's own, capped). */
  timeout_ms: number;
  /** Heartbeat timeout of the attempt (the task's `timeouts.heartbeat`), when it has one. */
  heartbeat_ms?: number;
}

/** A JSON Schema check of the task's input or output; `valid` with no errors when the task has no such schema. */
export interface TaskSchemaCheck {
  valid: boolean;
  /** Every error, pointer rooted at `/input` or `/output` (as the SchemaViolation a run raises names them). */
  errors: Array<{ pointer: string; message: string }>;
}

/** The failure a task test ended with: what a `catch` of a real run would see. */
export interface TaskTestError {
  type: string;
  message: string;
  details?: unknown;
  /** Whether a run would retry it under a retry policy (false: non-retryable, whatever the policy says). */
  retryable: boolean;
}

/** The answer of a single-task test. A failing task is a result (`failed`), not an error of the test itself. */
export interface TaskTestResult {
  status: 'succeeded' | 'failed';
  /** The executor's output (also when it fails the output schema). */
  output?: unknown;
  error?: TaskTestError;
  input_check: TaskSchemaCheck;
  /** Absent when the executor produced no output. */
  output_check?: TaskSchemaCheck;
  /** Time the attempt took (executor and checks). */
  duration_ms: number;
  started_at: string;
  task: { task_id: string; version: string; type: string };
}

/** The single-task test activity (activities/testing/task-test.ts), on the main task queue. */
export interface TaskTestActivities {
  testTask(req: TaskTestRequest): Promise<TaskTestResult>;
}
