/**
 * JSON Schemas (draft 2020-12) of workflow and task definitions. The API validates requests with them,
 * the OpenAPI document embeds them, and `validate.ts` runs them before the semantic checks.
 */
import { DURATION_PATTERN } from './duration';
import { BLOCK_LIMITS } from './limits';
import { STEP_TYPES } from './types';
import { MAX_DEFINITION_STEPS } from './validation-bounds';

type Schema = Record<string, unknown>;

const ID_PATTERN = '^[A-Za-z0-9_-]+$';
const LABEL_PATTERN = '^[A-Za-z0-9_]+$';
const EXPRESSION_PATTERN = '^\\s*\\{%[\\s\\S]*%\\}\\s*$';

const duration: Schema = { oneOf: [{ type: 'string', pattern: DURATION_PATTERN }, { type: 'integer', minimum: 0 }] };
const expression: Schema = { type: 'string', pattern: EXPRESSION_PATTERN };
const stepRef: Schema = { type: 'string', pattern: ID_PATTERN };
const jsonSchemaDoc: Schema = { type: ['object', 'boolean'] };

const retryPolicy: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_attempts: { type: 'integer', minimum: 0 },
    initial_interval: duration,
    max_interval: duration,
    backoff_coefficient: { type: 'number', minimum: 1 },
    non_retryable_errors: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};

const catchClause: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['errors', 'next'],
  properties: {
    errors: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    next: stepRef,
    into: { type: 'string', pattern: LABEL_PATTERN },
  },
};

const common: Schema = {
  id: stepRef,
  type: { enum: STEP_TYPES },
  name: { type: 'string' },
  description: { type: 'string' },
  next: stepRef,
  timeout: duration,
  retry: retryPolicy,
  catch: { type: 'array', items: catchClause },
};

const steps: Schema = { type: 'array', minItems: 1, maxItems: MAX_DEFINITION_STEPS, items: { $ref: '#/$defs/step' } };

/** Per step type: its own properties and required ones (the common ones are added). */
const variants: Record<string, { properties: Schema; required?: string[] }> = {
  task: {
    properties: {
      task: { type: 'string', minLength: 1 }, input: {}, output: {}, result_var: { type: 'string', pattern: LABEL_PATTERN },
      // Activity timeouts of this step over the task definition's (`timeout` stays the start-to-close shorthand).
      timeouts: { type: 'object', additionalProperties: false, properties: { start_to_close: duration, schedule_to_close: duration, heartbeat: duration } },
    },
    required: ['task'],
  },
  switch: {
    properties: {
      cases: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, required: ['when', 'next'], properties: { when: expression, next: stepRef } },
      },
      default: stepRef,
    },
    required: ['cases'],
  },
  parallel: {
    properties: {
      branches: {
        type: 'array',
        minItems: 1,
        maxItems: BLOCK_LIMITS.parallelMaxBranches,
        items: { type: 'object', additionalProperties: false, required: ['id', 'steps'], properties: { id: { type: 'string', pattern: LABEL_PATTERN }, steps } },
      },
      output_mode: { enum: ['object', 'array'] },
    },
    required: ['branches'],
  },
  foreach: {
    properties: {
      items: { oneOf: [expression, { type: 'array', maxItems: BLOCK_LIMITS.foreachMaxItems }] },
      concurrency: { type: 'integer', minimum: 0, maximum: BLOCK_LIMITS.foreachMaxConcurrency },
      steps,
    },
    required: ['items', 'steps'],
  },
  wait_for_event: {
    properties: { event: { type: 'string', pattern: '^(\\*\\*|\\*|[A-Za-z0-9_-]+)(\\.(\\*\\*|\\*|[A-Za-z0-9_-]+))*$' }, correlation: { type: 'string' }, on_timeout: stepRef },
    required: ['event'],
  },
  delay: {
    properties: { duration: { oneOf: [duration, expression] }, until: { type: 'string' } },
  },
  set: { properties: { vars: { type: 'object', minProperties: 1, propertyNames: { pattern: LABEL_PATTERN } } }, required: ['vars'] },
  sub_workflow: {
    properties: { workflow: { type: 'string', minLength: 1 }, version: { type: 'string' }, input: {}, result_var: { type: 'string', pattern: LABEL_PATTERN } },
    required: ['workflow'],
  },
  emit_event: { properties: { event: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' }, payload: {} }, required: ['event'] },
  succeed: { properties: { output: {} } },
  fail: { properties: { error: { type: 'string', minLength: 1 }, message: {}, details: {} } },
};

function stepDefs(): Schema {
  const defs: Schema = {};
  for (const [type, v] of Object.entries(variants)) {
    defs[`step_${type}`] = {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', ...(v.required ?? [])],
      properties: { ...common, ...v.properties },
    };
  }
  // if/then per type instead of oneOf: Ajv then reports only the errors of the step's own type. The `if`
  // checks the item is an object first: otherwise a non-object matches every `if` and fails every variant.
  defs.step = {
    type: 'object',
    required: ['id', 'type'],
    properties: { type: { enum: STEP_TYPES } },
    allOf: Object.keys(variants).map((type) => ({
      if: { type: 'object', properties: { type: { const: type } }, required: ['type'] },
      then: { $ref: `#/$defs/step_${type}` },
    })),
  };
  // delay needs one of duration/until; expressed here to keep the variant table flat.
  (defs.step_delay as Schema).oneOf = [{ required: ['duration'] }, { required: ['until'] }];
  return defs;
}

/** `MAJOR.MINOR.PATCH` with an optional pre-release tag (the `version` columns are varchar(50)). */
const semver = { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$', maxLength: 50 };
/** A definition's display name (the `name` columns are varchar(255)). */
const displayName = { type: 'string', minLength: 1, maxLength: 255 };

/** Schema of a workflow definition document (`workflow_definitions.definition`). */
export const workflowDefinitionSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://augmented-os.dev/schemas/workflow-definition.json',
  title: 'WorkflowDefinition',
  type: 'object',
  additionalProperties: false,
  required: ['workflow_id', 'name', 'version', 'steps'],
  properties: {
    workflow_id: { type: 'string', pattern: ID_PATTERN, maxLength: 200 },
    name: displayName,
    description: { type: 'string' },
    version: semver,
    input_schema: jsonSchemaDoc,
    output_schema: jsonSchemaDoc,
    timeout: duration,
    vars: { type: 'object', propertyNames: { pattern: LABEL_PATTERN } },
    steps,
    output: {},
  },
  $defs: stepDefs(),
};

/** Schema of a task definition (`task_definitions`, as sent to the API and snapshotted into runs). */
export const taskDefinitionSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://augmented-os.dev/schemas/task-definition.json',
  title: 'TaskDefinition',
  type: 'object',
  additionalProperties: false,
  required: ['task_id', 'version', 'type', 'config'],
  properties: {
    task_id: { type: 'string', pattern: ID_PATTERN, maxLength: 200 },
    version: semver,
    name: { type: 'string', maxLength: 255 },
    description: { type: 'string' },
    type: { enum: ['http', 'transform', 'code', 'noop', 'echo', 'integration'] },
    config: { type: 'object' },
    input_schema: jsonSchemaDoc,
    output_schema: jsonSchemaDoc,
    retry_policy: retryPolicy,
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: { start_to_close: duration, schedule_to_close: duration, heartbeat: duration },
    },
  },
};
