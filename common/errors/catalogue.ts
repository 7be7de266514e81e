/**
 * The error catalogue: every failure type the platform raises, and every error name a definition's `catch` can
 * match, with its retryability and the HTTP status of the matching API problem. Workflow code imports it too,
 * so it imports nothing. docs/definition-language.md#errors-and-catch lists it ({@link catalogueMarkdown}; a
 * unit test fails when the doc and this module differ).
 */

/**
 * Who raises a failure: a task's activity, the engine's own activities (the event dispatcher's delivery among them),
 * the workflow, or the reconciler (mirror).
 */
export type FailureOrigin = 'task' | 'engine' | 'workflow' | 'mirror';

/** One catalogue entry. */
export interface FailureEntry {
  /** Who raises it. */
  origin: FailureOrigin;
  /** Whether Temporal retries it: `'per status'` for an HTTP answer (5xx, 408, 425, 429 are retried). */
  retryable: boolean | 'per status';
  /** HTTP status of the API problem of the same kind (an AppError of this status becomes this type), or null. */
  httpStatus: number | null;
  /**
   * Whether a definition's `catch` can name it (the reconciler's are recorded on the run row only, an event
   * delivery's on its queue row and dead letter).
   */
  catchable: boolean;
  /** When it is raised. */
  when: string;
}

const entry = (
  origin: FailureOrigin,
  retryable: FailureEntry['retryable'],
  httpStatus: number | null,
  when: string,
  catchable = true,
): FailureEntry => ({ origin, retryable, httpStatus, catchable, when });

/** The catalogue by failure type: `ApplicationFailure.type`, `catch` error name, `error.type` of a run or task row. */
export const FAILURES = {
  SchemaViolation: entry(
    'task',
    false,
    422,
    "input or output does not match the task's JSON Schema; " +
      'an `emit_event` payload does not match its event definition',
  ),
  UnknownTaskType: entry('task', false, null, "the worker's registry does not know the task type"),
  UnknownHandler: entry('task', false, null, "the worker's registry does not know the code handler"),
  BadTaskConfig: entry(
    'task',
    false,
    null,
    "the task definition's config is unusable (bad template, URL not http(s), " + 'integration misconfigured)',
  ),
  UnexpectedStatus: entry(
    'task',
    'per status',
    null,
    'an HTTP answer outside `expected_status` (5xx, 408, 425, 429 ' + 'are retried, honouring `Retry-After`)',
  ),
  HttpNetworkError: entry('task', true, null, 'an HTTP request got no answer (refused, reset, unreachable)'),
  HttpTimeout: entry('task', true, null, 'an HTTP request timed out'),
  EgressDenied: entry(
    'task',
    false,
    null,
    'an `http` or `integration` task addressed a destination the egress ' + 'policy refuses',
  ),
  CredentialsExpired: entry(
    'task',
    false,
    null,
    "an `oauth2` integration instance's `credentials_expires_at` " + 'has passed',
  ),
  NotFound: entry(
    'task',
    false,
    404,
    'a referenced row does not exist (integration instance or operation, ' +
      'sub_workflow child definition, emit_event pattern)',
  ),
  FormNotFound: entry(
    'engine',
    false,
    null,
    "a `human_task`'s form does not exist: no form UI component of that id (and version, or none active), or " +
      'its `task` is not a manual task definition with a form UI component',
  ),
  PayloadTooLarge: entry(
    'task',
    false,
    413,
    "a task's result, a task step's input, a child's start input or the " +
      "run's output is over Temporal's payload limit",
  ),
  ExpressionError: entry('task', false, null, 'an expression failed or produced the wrong kind of value'),
  Unavailable: entry(
    'engine',
    true,
    503,
    'the database or Temporal did not answer (engine activities wait for it, ' + 'so `catch` never sees it)',
    false,
  ),
  DatabaseError: entry(
    'engine',
    false,
    null,
    "the database refused an engine activity's request (e.g. a " +
      '`wait_for_event` correlation longer than 512 characters)',
  ),
  RoutingRejected: entry(
    'engine',
    true,
    null,
    "routing an event met an API refusal (e.g. a trigger's start input " +
      'refused with 422); the delivery is retried with backoff and dead-lettered once its attempts run out',
    false,
  ),
  WorkflowFailed: entry(
    'workflow',
    false,
    null,
    'a `fail` step without `error` ended the run (a sub_workflow parent ' + 'sees it)',
  ),
  LimitExceeded: entry('workflow', false, null, "a foreach's items evaluated to more than the block limit"),
  UnknownTask: entry(
    'workflow',
    false,
    null,
    "a task step names a task missing from the run's snapshot " + '(validation prevents it)',
  ),
  InvalidDefinition: entry(
    'workflow',
    false,
    null,
    'a step goes to an unknown step or has an unknown type ' + '(validation prevents it)',
  ),
  Timeout: entry(
    'workflow',
    false,
    null,
    'step timeout, activity timeout after the last attempt, wait timeout ' + 'without `on_timeout`, workflow timeout',
  ),
  Cancelled: entry(
    'workflow',
    false,
    null,
    'the run was cancelled (or an enclosing block was cancelled or timed out) ' +
      'while the step ran; `*` does not match it',
  ),
  Terminated: entry('workflow', false, null, 'a child run was terminated'),
  Error: entry(
    'task',
    true,
    null,
    "any other error (a handler's plain `Error`, or its own name such as " +
      '`TypeError`), after retries are exhausted',
  ),
  WorkflowTaskFailed: entry(
    'mirror',
    false,
    null,
    'the reconciler terminated a run whose workflow task failed ' + 'WORKFLOW_TASK_MAX_ATTEMPTS times in a row',
    false,
  ),
  MockMissing: entry(
    'task',
    false,
    null,
    'a test case run reached a task without a mock while its unmocked tasks fail the case (docs/testing.md)',
    false,
  ),
  StartLost: entry('mirror', false, null, 'the reconciler found no Temporal run for an instance row', false),
} as const satisfies Record<string, FailureEntry>;

/** A catalogued failure type. */
export type FailureType = keyof typeof FAILURES;

/** The catalogued failure types by name (`FailureType.NotFound === 'NotFound'`), for code that raises or matches. */
export const FailureType = Object.fromEntries(Object.keys(FAILURES).map((k) => [k, k])) as {
  readonly [K in FailureType]: K;
};

/** True when `type` is in the catalogue. */
export function isFailureType(type: string): type is FailureType {
  return Object.prototype.hasOwnProperty.call(FAILURES, type);
}

/**
 * Task failure types a retry can never fix: an error a handler throws with one of these as its `type` stays
 * non-retryable (activities/tasks/failures.ts); any other plain error is retried.
 */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = (Object.keys(FAILURES) as FailureType[]).filter(
  (t) => FAILURES[t].origin === 'task' && FAILURES[t].retryable === false,
);

/** The failure type of an API problem of `status` (e.g. 404: NotFound), or `undefined` when none is catalogued. */
export function failureTypeForStatus(status: number): FailureType | undefined {
  return (Object.keys(FAILURES) as FailureType[]).find((t) => FAILURES[t].httpStatus === status);
}

const yesNo = (r: FailureEntry['retryable']) => (r === 'per status' ? 'per status' : r ? 'yes' : 'no');

/** The catalogue as the Markdown table in docs/definition-language.md#errors-and-catch. */
export function catalogueMarkdown(): string {
  const rows = (Object.keys(FAILURES) as FailureType[]).map((t) => {
    const e: FailureEntry = FAILURES[t];
    const cells = [`\`${t}\``, e.origin, yesNo(e.retryable), e.httpStatus ?? '-', e.catchable ? 'yes' : 'no', e.when];
    return `| ${cells.join(' | ')} |`;
  });
  const head = '| name | raised by | retried? | HTTP status | `catch` can name it | raised when |';
  return [head, '|---|---|---|---|---|---|', ...rows].join('\n');
}
