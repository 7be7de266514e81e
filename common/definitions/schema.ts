/**
 * The definition language, declared once: JSON Schemas (draft 2020-12) of workflow and task definitions,
 * written with TypeBox so that `types.ts` derives the TypeScript types from them (`Static`). The API validates
 * requests with them, the OpenAPI document embeds them, and `validate.ts` runs them before the semantic checks.
 *
 * Not sandbox-safe (TypeBox): workflow code imports `types.ts` (types only) and `kinds.ts`, never this module.
 */
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { DURATION_PATTERN } from './duration';
import { STEP_TYPES, TASK_DEFINITION_TYPES, type StepType } from './kinds';
import { BLOCK_LIMITS } from './limits';
import { MAX_DEFINITION_STEPS } from './validation-bounds';

const ID_PATTERN = '^[A-Za-z0-9_-]+$';
const LABEL_PATTERN = '^[A-Za-z0-9_]+$';
const EXPRESSION_PATTERN = '^\\s*\\{%[\\s\\S]*%\\}\\s*$';

/** `{ enum: values }`, typed as one of the values (TypeBox's own unions would emit `anyOf` of `const`s). */
const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ enum: values });
/** `{ oneOf: schemas }` (TypeBox has `anyOf` only; the error messages of `oneOf` are part of the API's answers). */
const OneOf = <T extends TSchema[]>(schemas: [...T]) => Type.Unsafe<Static<T[number]>>({ oneOf: schemas });
/** A JSON object with any members (`options` may bound them). */
const JsonObject = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', ...options });
/** A closed object: no members beyond `properties`. */
const Closed = <P extends TProperties>(properties: P, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
const { Optional } = Type;

/**
 * A duration: ISO-8601 (`PT30S`, `P3D`, `PT1H30M`) or the short form `<n><unit>` with unit
 * ms | s | m | h | d (`500ms`, `10s`, `5m`), or a number of milliseconds.
 */
export const DurationSchema = OneOf([Type.String({ pattern: DURATION_PATTERN }), Type.Integer({ minimum: 0 })]);
/** An expression string `"{% ... %}"`. */
export const ExpressionSchema = Type.String({ pattern: EXPRESSION_PATTERN });
/** A JSON value that may contain `"{% jsonata %}"` expressions anywhere inside strings. */
export const TemplateSchema = Type.Unknown();
const stepRef = Type.String({ pattern: ID_PATTERN });
/** An event name pattern: dot segments, `*` = one segment, `**` = any number. */
const eventPattern = Type.String({ pattern: '^(\\*\\*|\\*|[A-Za-z0-9_-]+)(\\.(\\*\\*|\\*|[A-Za-z0-9_-]+))*$' });
const label = Type.String({ pattern: LABEL_PATTERN });
/** `MAJOR.MINOR.PATCH` with an optional pre-release tag (the `version` columns are varchar(50)). */
const semver = Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$', maxLength: 50 });
const jsonSchemaDoc = Type.Unsafe<Record<string, unknown> | boolean>({ type: ['object', 'boolean'] });

/** Retry policy of a step or a task definition; unset fields fall back to the next level. */
export const RetryPolicySchema = Closed({
  /** Total attempts including the first; 1 = no retry; 0 = unlimited. */
  max_attempts: Optional(Type.Integer({ minimum: 0 })),
  initial_interval: Optional(DurationSchema),
  max_interval: Optional(DurationSchema),
  backoff_coefficient: Optional(Type.Number({ minimum: 1 })),
  /** ApplicationFailure types never retried. */
  non_retryable_errors: Optional(Type.Array(Type.String({ minLength: 1 }))),
});

/** Routes a failed step to another step of the same list when the error name matches. */
export const CatchClauseSchema = Closed({
  /** Error names (ApplicationFailure type, `Timeout`, `Cancelled`, `ActivityFailure`, ...); `"*"` = any. */
  errors: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /** Step id in the same step list. */
  next: stepRef,
  /** Where the error object `{ type, message, details }` is stored: `$vars.<into>`; also `$steps.<id>.error`. */
  into: Optional(label),
  /**
   * Only errors for which this expression is truthy, with `$error` bound to the error object (`type`, `message`,
   * `details`, `instance`, `status`): `"{% $error.status = 404 %}"`.
   */
  when: Optional(ExpressionSchema),
});

/** Activity timeouts of a task. */
export const TaskTimeoutsSchema = Closed({
  start_to_close: Optional(DurationSchema),
  schedule_to_close: Optional(DurationSchema),
  heartbeat: Optional(DurationSchema),
});

/** Fields every step shares (`type` is the step's own). */
const stepBase = <T extends StepType>(type: T) => ({
  /** Unique across the whole definition (including nested blocks); `[A-Za-z0-9_-]+`. */
  id: stepRef,
  /** The step type (the `step` dispatcher below has checked it is a known one). */
  type: Type.Literal(type),
  name: Optional(Type.String()),
  description: Optional(Type.String()),
  /** Step id in the same list to continue with; default = the following step (or end of list). */
  next: Optional(stepRef),
  /** Step timeout; on expiry the step fails with error name `Timeout`. */
  timeout: Optional(DurationSchema),
  /** For task steps: overrides the task's retry policy. For other steps: retries the whole step. */
  retry: Optional(RetryPolicySchema),
  catch: Optional(Type.Array(CatchClauseSchema)),
});

/** A step of type `type`: the shared fields and its own. */
const variant = <T extends StepType, P extends TProperties>(type: T, own: P, options: Record<string, unknown> = {}) =>
  Closed({ ...stepBase(type), ...own }, options);

/**
 * Every step type's schema, given the schema of a nested step (`step`): a `$ref` in the JSON Schema, TypeBox's
 * `This` for the recursive type. One entry per step type, checked against {@link STEP_TYPES}.
 */
function stepVariants<S extends TSchema>(step: S) {
  const steps = Type.Array(step, { minItems: 1, maxItems: MAX_DEFINITION_STEPS });
  return {
    /** Runs a task definition as an activity. Output: the task result. */
    task: variant('task', {
      /** task_definitions.task_id, or `task_id@version` (pinned). */
      task: Type.String({ minLength: 1 }),
      /** Task input; default `$input`. */
      input: Optional(TemplateSchema),
      /** Optional mapping of the raw output (`$output` = raw result) before it is recorded. */
      output: Optional(TemplateSchema),
      /** Store the (optionally mapped) output into `$vars.<name>`. */
      result_var: Optional(label),
      /** Activity timeouts over the task definition's (`timeout` stays the start-to-close shorthand). */
      timeouts: Optional(TaskTimeoutsSchema),
    }),
    /** Conditional routing. Output: `{ next }` (the chosen target). */
    switch: variant('switch', {
      /** First case whose `when` is truthy wins. */
      cases: Type.Array(Closed({ when: ExpressionSchema, next: stepRef })),
      /** Target when no case matches; without it, no match continues with the following step. */
      default: Optional(stepRef),
    }),
    /** Runs branches concurrently and joins all. Output: `{ <branchId>: lastStepOutput }` (or an array). */
    parallel: variant('parallel', {
      branches: Type.Array(
        /** One branch: a label (`[A-Za-z0-9_]+`, used in step paths and as output key) and its own step list. */
        Closed({ id: label, steps }),
        { minItems: 1, maxItems: BLOCK_LIMITS.parallelMaxBranches },
      ),
      output_mode: Optional(Enum(['object', 'array'])),
      /**
       * `all` (default): every branch runs to its end. `race`: the first branch to finish wins, the others are
       * cancelled (their `catch` for `Cancelled` compensates); output `{ branch, output }`.
       */
      mode: Optional(Enum(['all', 'race'] as const)),
    }),
    /** Maps a step list over a list. Output: array of each iteration's last step output, in item order. */
    foreach: variant('foreach', {
      /** Expression yielding an array; `$item`/`$index` are bound in the body. */
      items: OneOf([ExpressionSchema, Type.Array(Type.Unknown(), { maxItems: BLOCK_LIMITS.foreachMaxItems })]),
      /** Max iterations running at once; default 10; 0 = unbounded; 1 = sequential. */
      concurrency: Optional(Type.Integer({ minimum: 0, maximum: BLOCK_LIMITS.foreachMaxConcurrency })),
      steps,
    }),
    /** Waits for a correlated event. Output: the event payload; `$event` = the envelope. */
    wait_for_event: variant(
      'wait_for_event',
      {
        /** Event name pattern: dot segments, `*` = one segment, `**` = any number. */
        event: Optional(eventPattern),
        /** Expression for the correlation value the event must carry: its metadata.correlationId (as correlationKey). */
        correlation: Optional(Type.String()),
        /** Several patterns, each with its own id and correlation (instead of `event`). */
        events: Optional(
          Type.Array(Closed({ id: label, event: eventPattern, correlation: Optional(Type.String()) }), {
            minItems: 1,
            maxItems: 20,
          }),
        ),
        /** With `events`: done at the first event (`any`, default) or once each pattern had one (`all`). */
        mode: Optional(Enum(['any', 'all'] as const)),
        /**
         * With `events`: keep taking matching events until this expression over `$events` (received so far) is
         * truthy, or until a closing event arrives.
         */
        until: Optional(
          OneOf([ExpressionSchema, Closed({ event: eventPattern, correlation: Optional(Type.String()) })]),
        ),
        /** Target when the timeout elapses; without it, the timeout is an error `Timeout` (catchable). */
        on_timeout: Optional(stepRef),
      },
      { oneOf: [{ required: ['event'] }, { required: ['events'] }] },
    ),
    /** Sleeps for a duration or until a timestamp (durable timer). Output: null. */
    delay: variant(
      'delay',
      {
        duration: Optional(OneOf([DurationSchema, ExpressionSchema])),
        /** ISO-8601 timestamp or an expression yielding one. */
        until: Optional(Type.String()),
      },
      { oneOf: [{ required: ['duration'] }, { required: ['until'] }] },
    ),
    /** Assigns variables: each key of `vars` is evaluated and merged into `$vars`. Output: the new values. */
    set: variant('set', { vars: JsonObject({ minProperties: 1, propertyNames: { pattern: LABEL_PATTERN } }) }),
    /** Runs another stored definition as a child workflow. Output: the child's output. */
    sub_workflow: variant('sub_workflow', {
      /** workflow_definitions.workflow_id of the child. */
      workflow: Type.String({ minLength: 1 }),
      /** Pinned version; default = the latest active version at the time the step runs. */
      version: Optional(Type.String()),
      /** Child input; default `$input`. */
      input: Optional(TemplateSchema),
      result_var: Optional(label),
    }),
    /** Publishes an event. Output: `{ eventId }`. */
    emit_event: variant('emit_event', {
      /** Event name (no wildcards). */
      event: Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }),
      payload: Optional(TemplateSchema),
      /**
       * The event's `source`; each field given replaces the default (`workflow`, the run's workflow id,
       * `<definition>@<version>#<step>`). `id` and `name` may be templates.
       */
      source: Optional(
        Closed({
          type: Optional(Enum(['workflow', 'task', 'integration', 'external'] as const)),
          id: Optional(Type.String({ minLength: 1 })),
          name: Optional(Type.String({ minLength: 1 })),
        }),
      ),
    }),
    /**
     * Waits for a person to submit a form (a UI component, directly or through a `manual` task definition).
     * Output: `{ action, data, submitted_by, submitted_at, approvals }` (or `output` mapped from it). The
     * relational rules (form xor task, at least one of assignee / candidate_users / candidate_roles, one action
     * per escalation) are semantic checks (semantics.ts), reported with their own codes.
     */
    human_task: variant('human_task', {
      /** The UI component (component_type form) rendered; `version` absent = its active version at open time. */
      form: Optional(
        Closed({ component_id: Type.String({ pattern: ID_PATTERN, maxLength: 255 }), version: Optional(semver) }),
      ),
      /** A `manual` task definition whose ui_component_id names the form: `task_id` or `task_id@version`. */
      task: Optional(Type.String({ minLength: 1 })),
      /** Title template (the inbox line). */
      title: Type.String({ minLength: 1 }),
      /** A user (username), or an expression yielding one (null = unassigned). */
      assignee: Optional(Type.String({ minLength: 1 })),
      /** Usernames offered the task, or an expression yielding them. */
      candidate_users: Optional(
        OneOf([Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 }), ExpressionSchema]),
      ),
      /** Role ids offered the task, or an expression yielding them. */
      candidate_roles: Optional(
        OneOf([Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 }), ExpressionSchema]),
      ),
      /** The form's initial data (a template). */
      prefill: Optional(TemplateSchema),
      /**
       * Due duration from the opening: the task's due_at. When it passes while the task is open, the run records
       * an `overdue` event (the task stays open); escalations may count from it (`from: "due"`).
       */
      due: Optional(DurationSchema),
      /**
       * Rules fired in order, each `after` a duration from the opening (or from the due time, `from: "due"`):
       * reassign, emit an event, or go to a step.
       */
      escalations: Optional(
        Type.Array(
          Closed({
            after: DurationSchema,
            /** What `after` counts from: the opening [opened] or the due time (needs the step's `due`). */
            from: Optional(Enum(['opened', 'due'])),
            /** Reassign: to one user (the new assignee) or one role (the candidates, unclaimed). */
            assign: Optional(
              Closed({ user: Optional(Type.String({ minLength: 1 })), role: Optional(Type.String({ minLength: 1 })) }),
            ),
            /** Publish an event (like emit_event); the task stays open. */
            emit: Optional(
              Closed({
                event: Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }),
                payload: Optional(TemplateSchema),
              }),
            ),
            /** Withdraw the task and continue at this step of the same list. */
            goto: Optional(stepRef),
          }),
          { maxItems: 20 },
        ),
      ),
      /** N-of-M approvals: `required` distinct people must submit `approve_action` [approve]. */
      approvals: Optional(
        Closed({
          required: Type.Integer({ minimum: 1, maximum: 100 }),
          approve_action: Optional(Type.String({ pattern: ID_PATTERN })),
          /** May the run's starter approve [true]. */
          allow_starter: Optional(Type.Boolean()),
        }),
      ),
      /** Optional mapping of the raw output (`$output`) before it is recorded. */
      output: Optional(TemplateSchema),
      /** Store the (optionally mapped) output into `$vars.<name>`. */
      result_var: Optional(label),
    }),
    /** Ends the workflow successfully. Output: `output` (default: the workflow `output` template or null). */
    succeed: variant('succeed', { output: Optional(TemplateSchema) }),
    /** Ends the workflow with a non-retryable failure of type `error` (default `WorkflowFailed`). */
    fail: variant('fail', {
      error: Optional(Type.String({ minLength: 1 })),
      message: Optional(TemplateSchema),
      details: Optional(TemplateSchema),
    }),
  } satisfies { [T in StepType]: TSchema & { static: { type: T } } };
}

/** Any step, discriminated by `type` (the recursive type the definition types derive from). */
export const StepSchema = Type.Recursive((step) => Type.Union(Object.values(stepVariants(step))));

/** A step, as referenced from a step list of the JSON Schema. */
const stepInList = Type.Unsafe<Static<typeof StepSchema>>({ $ref: '#/$defs/step' });
const variants = stepVariants(stepInList);

/** The step schemas: one per type, and `step`, which dispatches on `type`. */
function stepDefs(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const type of STEP_TYPES) defs[`step_${type}`] = variants[type];
  // if/then per type instead of oneOf: Ajv then reports only the errors of the step's own type. The `if`
  // checks the item is an object first: otherwise a non-object matches every `if` and fails every variant.
  defs.step = {
    type: 'object',
    required: ['id', 'type'],
    properties: { type: { enum: STEP_TYPES } },
    allOf: STEP_TYPES.map((type) => ({
      if: { type: 'object', properties: { type: { const: type } }, required: ['type'] },
      then: { $ref: `#/$defs/step_${type}` },
    })),
  };
  return defs;
}

/** Run priorities: Temporal priority keys, 1 = most urgent, 5 = least; unset = 3 (Temporal's default). */
export const PrioritySchema = Type.Integer({ minimum: 1, maximum: 5 });

/**
 * Flow control of a workflow definition (#15): at most `limit` runs of it open at once (all versions), counted
 * per `key` when set (an expression over `$input`, e.g. the customer id). `when_full` decides what a start does
 * when the limit is reached: `queue` (default: the start is recorded as `queued` and begins, in order, when a
 * run ends), `reject` (409), or `cancel_oldest` (the oldest open run is cancelled, the new one queued first).
 */
export const RunConcurrencySchema = Closed({
  limit: Type.Integer({ minimum: 1, maximum: 10000 }),
  key: Optional(ExpressionSchema),
  when_full: Optional(Enum(['queue', 'reject', 'cancel_oldest'] as const)),
});

/**
 * What happens once when a run fails for good (failed or timed out, not cancelled or terminated), like
 * Conductor's failureWorkflow: run another stored definition as an abandoned child with the failure as input
 * (`$failure` in `input`; default input `{ failure, instance_id, workflow_id, version, input }`), or publish an
 * event (`payload` likewise).
 */
export const OnFailureSchema = OneOf([
  Closed({
    type: Type.Literal('sub_workflow'),
    workflow: Type.String({ minLength: 1 }),
    version: Optional(semver),
    input: Optional(TemplateSchema),
  }),
  Closed({
    type: Type.Literal('emit_event'),
    event: Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }),
    payload: Optional(TemplateSchema),
  }),
]);

/**
 * Limits of a task definition's calls across every worker (#15): `rate_per_second` (GCRA in PostgreSQL: calls
 * are spaced 1/rate apart, with a burst of `burst` calls) and `concurrency` (leases in PostgreSQL).
 */
export const TaskLimitsSchema = Closed({
  rate_per_second: Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
  burst: Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  concurrency: Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});

/** Schema of a workflow definition document (`workflow_definitions.definition`). */
export const workflowDefinitionSchema = Closed(
  {
    workflow_id: Type.String({ pattern: ID_PATTERN, maxLength: 200 }),
    /** Display name (the `name` columns are varchar(255)). */
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Optional(Type.String()),
    /** Semver `MAJOR.MINOR.PATCH`. */
    version: semver,
    input_schema: Optional(jsonSchemaDoc),
    output_schema: Optional(jsonSchemaDoc),
    /** Whole-run timeout; on expiry the run fails with error name `Timeout`. */
    timeout: Optional(DurationSchema),
    /** Initial `$vars`. */
    vars: Optional(JsonObject({ propertyNames: { pattern: LABEL_PATTERN } })),
    steps: Type.Array(stepInList, { minItems: 1, maxItems: MAX_DEFINITION_STEPS }),
    /** Workflow result when the step list ends (not via succeed); default = last step's output. */
    output: Optional(TemplateSchema),
    /** At most this many open runs (per key), and what a start does when full (#15). */
    concurrency: Optional(RunConcurrencySchema),
    /** The runs' Temporal priority key (their workflow and activity tasks) [3]. */
    priority: Optional(PrioritySchema),
    /** What runs once when a run fails for good (#15). */
    on_failure: Optional(OnFailureSchema),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://augmented-os.dev/schemas/workflow-definition.json',
    title: 'WorkflowDefinition',
    $defs: stepDefs(),
  },
);

/** Schema of a task definition (`task_definitions`, as sent to the API and snapshotted into runs). */
export const taskDefinitionSchema = Closed(
  {
    task_id: Type.String({ pattern: ID_PATTERN, maxLength: 200 }),
    version: semver,
    name: Optional(Type.String({ maxLength: 255 })),
    description: Optional(Type.String()),
    /** `manual`: a task a person does in a `human_task` step, with the form `ui_component`. */
    type: Enum(TASK_DEFINITION_TYPES),
    config: JsonObject(),
    /**
     * The form of a `manual` task: a UI component version (`version` omitted = the component's current active
     * version when the task definition is saved; the stored definition names the version it resolved to).
     */
    ui_component: Optional(
      Closed({
        component_id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,255}$' }),
        version: Optional(Type.String({ pattern: '^[A-Za-z0-9._+-]{1,50}$' })),
      }),
    ),
    input_schema: Optional(jsonSchemaDoc),
    output_schema: Optional(jsonSchemaDoc),
    retry_policy: Optional(RetryPolicySchema),
    timeouts: Optional(TaskTimeoutsSchema),
    /** Rate and concurrency limits across all workers (#15). */
    limits: Optional(TaskLimitsSchema),
    /** Temporal priority key of this task's activities [the run's priority]. */
    priority: Optional(PrioritySchema),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://augmented-os.dev/schemas/task-definition.json',
    title: 'TaskDefinition',
  },
);
