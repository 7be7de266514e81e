/** JSON Schemas of the event documents: the ingested EventInstance, event definitions and triggers. */

/** An event id: idempotency key of an event. */
export const EVENT_ID = '^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,254}$';
/** An event name (pattern without wildcards), e.g. `invoice.created`. */
export const EVENT_NAME = '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$';
const ID = EVENT_ID;
const NAME = EVENT_NAME;
const SEMVER = '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$';
const shortString = { type: 'string', maxLength: 255 };

/** The documented EventInstance shape, as accepted by `POST /events` and the `emitEvent` activity. */
export const eventInstanceSchema = {
  type: 'object',
  required: ['pattern', 'payload'],
  additionalProperties: false,
  properties: {
    eventId: { type: 'string', pattern: ID, description: 'Idempotency key; generated (uuid) when omitted' },
    pattern: { type: 'string', maxLength: 255, pattern: NAME, description: 'Event name, e.g. invoice.created' },
    version: {
      type: 'string',
      maxLength: 50,
      pattern: SEMVER,
      description: 'Definition version; default: latest active',
    },
    source: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { enum: ['workflow', 'task', 'integration', 'external'] },
        id: shortString,
        name: shortString,
      },
    },
    timestamp: { type: 'string', format: 'date-time', maxLength: 64 },
    payload: { type: 'object' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: {
        correlationId: { type: 'string', maxLength: 512 },
        causationId: shortString,
        traceId: shortString,
        traceparent: {
          type: 'string',
          pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
          description: 'W3C trace context: the runs the event starts or resumes join this trace',
        },
        tracestate: { type: 'string', maxLength: 512 },
        userId: shortString,
        context: {
          type: 'object',
          additionalProperties: false,
          properties: { type: { enum: ['client', 'user', 'global'] }, id: shortString },
        },
        tags: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string', maxLength: 1024 } },
      },
    },
  },
} as const;

/** `POST /events/batch`: 1..max events, each an EventInstance. */
export function eventBatchSchema(max: number): Record<string, unknown> {
  return {
    type: 'object',
    required: ['events'],
    additionalProperties: false,
    properties: { events: { type: 'array', minItems: 1, maxItems: max, items: eventInstanceSchema } },
  };
}

const uiMetadata = {
  type: 'object',
  additionalProperties: true,
  properties: {
    icon: shortString,
    color: shortString,
    category: shortString,
    priority: { enum: ['high', 'medium', 'low'] },
  },
};

/** Body of `POST /event-definitions` (a new definition or a new version of one). */
export const eventDefinitionSchema = {
  type: 'object',
  required: ['event_id', 'name', 'pattern', 'version'],
  additionalProperties: false,
  properties: {
    event_id: { type: 'string', pattern: ID },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: 10_000 },
    pattern: { type: 'string', maxLength: 255, pattern: NAME },
    version: { type: 'string', maxLength: 50, pattern: SEMVER },
    source_types: {
      type: 'array',
      maxItems: 16,
      uniqueItems: true,
      items: { enum: ['workflow', 'task', 'integration', 'external'] },
    },
    payload_schema: { type: 'object' },
    examples: { type: 'array', maxItems: 100, items: { type: 'object' } },
    ui_metadata: uiMetadata,
    status: { enum: ['draft', 'active', 'deprecated'] },
    sequence_key_path: { type: 'string', maxLength: 255, pattern: '^(payload|metadata)(\\.[A-Za-z0-9_-]+)+$' },
  },
} as const;

/** Body of `PATCH /event-definitions/:eventId/versions/:version`. */
export const eventDefinitionPatchSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    name: eventDefinitionSchema.properties.name,
    description: eventDefinitionSchema.properties.description,
    source_types: eventDefinitionSchema.properties.source_types,
    payload_schema: eventDefinitionSchema.properties.payload_schema,
    examples: eventDefinitionSchema.properties.examples,
    ui_metadata: uiMetadata,
    status: eventDefinitionSchema.properties.status,
    sequence_key_path: eventDefinitionSchema.properties.sequence_key_path,
  },
} as const;

const triggerProperties = {
  workflowDefinitionId: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    description: 'workflow_definitions.id (uuid) or its workflow_id',
  },
  eventPattern: { type: 'string', minLength: 1, maxLength: 255 },
  triggerType: { enum: ['START', 'CANCEL'] },
  eventCondition: { type: ['string', 'null'], maxLength: 4096 },
  inputMapping: {
    type: ['object', 'null'],
    maxProperties: 100,
    propertyNames: { maxLength: 255 },
    additionalProperties: { type: 'string', maxLength: 4096 },
  },
  correlationKey: { type: ['string', 'null'], maxLength: 512 },
  enabled: { type: 'boolean' },
  priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
  description: { type: ['string', 'null'], maxLength: 10_000 },
  onRunning: { enum: ['skip', 'signal', 'start'] },
} as const;

/** Body of `POST /triggers` (the documented WorkflowEventTrigger shape plus `onRunning`). */
export const triggerCreateSchema = {
  type: 'object',
  required: ['workflowDefinitionId', 'eventPattern', 'triggerType'],
  additionalProperties: false,
  properties: { triggerId: { type: 'string', pattern: ID }, ...triggerProperties },
} as const;

/** Body of `PATCH /triggers/:triggerId`. */
export const triggerPatchSchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: triggerProperties,
} as const;
