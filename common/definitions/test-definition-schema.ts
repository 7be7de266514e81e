/**
 * JSON Schema (draft 2020-12) of a test definition document (#14, docs/testing.md), declared with TypeBox like the
 * workflow and task definition schemas (schema.ts) and checked against the contract types of
 * common/contracts/testing.ts below: a field added to one and not the other fails to compile. The rules a schema
 * cannot say (unique case ids, one of output/error, JSONata that compiles, steps of the target) are
 * test-definition-validate.ts. Not sandbox-safe (TypeBox).
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { TestDefinitionDocument } from '../contracts/testing';
import { DURATION_PATTERN } from './duration';

/** Limits of a test definition document. */
export const TEST_DEFINITION_LIMITS = {
  cases: 1000,
  mocksPerCase: 200,
  attemptsPerMock: 100,
  eventsPerCase: 100,
  humanTasksPerCase: 100,
  tagsPerCase: 50,
  assertions: 50,
  pathSteps: 1000,
  maxTimeScale: 10_000_000,
  maxConcurrency: 16,
} as const;

const L = TEST_DEFINITION_LIMITS;
const { Optional } = Type;
const Closed = <P extends TProperties>(properties: P, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });
const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ enum: values });
const JsonObject = () => Type.Record(Type.String(), Type.Unknown());
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** A duration string: `500ms`, `10s`, `5m`, `1.5h`, `3d`, or ISO-8601 `PT30S`, `P3D` (common/definitions/duration.ts). */
const Duration = Type.String({ pattern: DURATION_PATTERN, maxLength: 50 });
/** A step id of the target workflow (the definition language's step id pattern). */
const StepId = Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 255 });
/** A JSONata expression (bare: no `{% %}`). */
const Jsonata = Type.String({ minLength: 1, maxLength: 10_000 });
/** An event name (no wildcards). */
const EventName = Type.String({ pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$', maxLength: 255 });
const TimeScale = Type.Number({ minimum: 1, maximum: L.maxTimeScale });
const Unmocked = Enum(['fail', 'run'] as const);

/** A mocked failure, raised as the task's error. */
const MockErrorSchema = Closed({
  type: Text(255),
  message: Optional(Type.String({ maxLength: 10_000 })),
  details: Optional(Type.Unknown()),
  retryable: Optional(Type.Boolean()),
});

const responseFields = {
  output: Optional(Type.Unknown()),
  error: Optional(MockErrorSchema),
  delay: Optional(Duration),
};

/** What a mocked task answers on one attempt. */
const MockResponseSchema = Closed(responseFields);

/** A mock of a task step (`step`) or of a task definition (`task`). */
const TaskMockSchema = Closed({
  step: Optional(StepId),
  task: Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200 })),
  when: Optional(Jsonata),
  ...responseFields,
  attempts: Optional(Type.Array(MockResponseSchema, { minItems: 1, maxItems: L.attemptsPerMock })),
  real: Optional(Type.Boolean()),
});

/** An event sent to the case's run. */
const TestEventSchema = Closed({
  event: EventName,
  payload: Optional(Type.Unknown()),
  correlation: Optional(Type.String({ maxLength: 1000 })),
  metadata: Optional(JsonObject()),
  at_step: Optional(StepId),
  after: Optional(Duration),
});

/** The event a case's run is started by, through the target's START triggers. */
const TestStartEventSchema = Closed({
  event: EventName,
  payload: Optional(JsonObject()),
  metadata: Optional(JsonObject()),
});

/** A submission of a human_task step's form. */
const HumanTaskSubmissionSchema = Closed({
  step: StepId,
  user: Text(255),
  action: Text(255),
  data: Optional(JsonObject()),
  after: Optional(Duration),
});

/** Expectations of a case. */
const ExpectationsSchema = Closed({
  status: Optional(Enum(['completed', 'failed', 'cancelled'] as const)),
  started: Optional(Type.Boolean()),
  output: Optional(Type.Unknown()),
  output_contains: Optional(Type.Unknown()),
  assert: Optional(Type.Union([Jsonata, Type.Array(Jsonata, { minItems: 1, maxItems: L.assertions })])),
  error: Optional(
    Closed({ type: Optional(Text(255)), message_contains: Optional(Type.String({ maxLength: 10_000 })) }),
  ),
  path: Optional(Type.Array(StepId, { maxItems: L.pathSteps })),
  path_contains: Optional(Type.Array(StepId, { maxItems: L.pathSteps })),
  path_excludes: Optional(Type.Array(StepId, { maxItems: L.pathSteps })),
  steps: Optional(
    Type.Record(Type.String(), Type.Unknown(), { propertyNames: { pattern: '^[A-Za-z0-9_-]+$' }, maxProperties: 1000 }),
  ),
  events: Optional(
    Type.Array(Closed({ event: EventName, payload: Optional(Type.Unknown()) }), { maxItems: L.eventsPerCase }),
  ),
  max_duration: Optional(Duration),
});

/** One case. */
const TestCaseSchema = Closed({
  case_id: Type.String({ pattern: '^[A-Za-z0-9._-]+$', maxLength: 255 }),
  name: Optional(Type.String({ maxLength: 255 })),
  tags: Optional(Type.Array(Text(100), { maxItems: L.tagsPerCase })),
  input: Optional(Type.Unknown()),
  start_event: Optional(TestStartEventSchema),
  correlation_key: Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  time_scale: Optional(TimeScale),
  case_timeout: Optional(Duration),
  unmocked: Optional(Unmocked),
  mocks: Optional(Type.Array(TaskMockSchema, { maxItems: L.mocksPerCase })),
  events: Optional(Type.Array(TestEventSchema, { maxItems: L.eventsPerCase })),
  human_tasks: Optional(Type.Array(HumanTaskSubmissionSchema, { maxItems: L.humanTasksPerCase })),
  expect: Optional(ExpectationsSchema),
});

/** Settings of a test definition. */
const TestSettingsSchema = Closed({
  concurrency: Optional(Type.Integer({ minimum: 1, maximum: L.maxConcurrency })),
  time_scale: Optional(TimeScale),
  case_timeout: Optional(Duration),
  unmocked: Optional(Unmocked),
  gate_activation: Optional(Type.Boolean()),
});

/** Schema of a test definition document (`POST /api/v1/test-definitions`, a file for `aos apply`). */
export const testDefinitionSchema = Closed(
  {
    /** The schema an editor validates the file with; accepted and not stored. */
    $schema: Optional(Type.String({ maxLength: 2000 })),
    test_id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,255}$' }),
    version: Type.String({ pattern: '^[A-Za-z0-9._+-]{1,50}$' }),
    name: Text(255),
    description: Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
    status: Optional(Enum(['draft', 'active', 'deprecated'] as const)),
    target_type: Enum(['workflow', 'task'] as const),
    /** A workflow_id or a task_id. */
    target_id: Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200 }),
    /** A pinned version of the target; absent or null = its current version when a test run starts. */
    target_version: Optional(Type.Union([Type.String({ pattern: '^[A-Za-z0-9._+-]{1,50}$' }), Type.Null()])),
    test_cases: Type.Array(TestCaseSchema, { maxItems: L.cases }),
    settings: Optional(TestSettingsSchema),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://augmented-os.dev/schemas/test-definition.json',
    title: 'TestDefinition',
  },
);

/** The top-level fields of a test definition document. */
export const TEST_DEFINITION_FIELDS: readonly string[] = Object.keys(testDefinitionSchema.properties);

// The schema and the contract declare the same document: each must be assignable to the other.
type Schema = Static<typeof testDefinitionSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameDocument: Same<Schema, TestDefinitionDocument> = true;
void sameDocument;
