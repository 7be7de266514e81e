/**
 * Event definition management: a version is accepted only if its payload_schema compiles and every
 * example validates against it; active versions are immutable except for deprecation.
 */
import type { Knex } from 'knex';
import { toFieldErrors } from '../../common/ajv';
import { AppError, type FieldError } from '../../common/errors';
import { jsonSafetyErrors } from '../../common/events/json-safety';
import { schemaSizeProblem } from '../../common/json-schema-limits';
import { unsafePatternErrors } from '../../common/events/regex-safety';
import {
  eventDefinitions,
  type EventDefinitionInsert,
  type EventDefinitionRow,
} from '../../db/repositories/event-definitions';
import type { DefinitionStatus } from '../../db/repositories/definitions';
import { compilePayloadSchema, invalidateEventDefinitions } from '../events/validators';
import { eventDefinitionErrorsOffThread } from '../validation';
import { versioned, type Precondition } from './versioned';

/** Body of a new definition version. */
export type EventDefinitionBody = Omit<EventDefinitionInsert, 'created_by' | 'updated_by'>;

/** Every reason `payload_schema` or an example is unacceptable, with pointers under /body. */
export function definitionErrors(body: Partial<EventDefinitionBody>): FieldError[] {
  const errors = jsonSafetyErrors(body, '/body');
  if (errors.length > 0) return errors;
  if (!body.payload_schema) {
    return body.examples?.length
      ? [{ pointer: '/body/examples', message: 'examples need a payload_schema to validate against' }]
      : [];
  }
  const tooLarge = schemaSizeProblem(body.payload_schema);
  if (tooLarge !== undefined) return [{ pointer: '/body/payload_schema', message: tooLarge }];
  const unsafe = unsafePatternErrors(body.payload_schema, '/body/payload_schema');
  if (unsafe.length > 0) return unsafe;
  let validate;
  try {
    validate = compilePayloadSchema(body.payload_schema as Record<string, unknown>);
  } catch (err) {
    return [{ pointer: '/body/payload_schema', message: `is not a valid JSON Schema: ${(err as Error).message}` }];
  }
  for (const [i, example] of (body.examples ?? []).entries()) {
    if (!validate(example)) errors.push(...toFieldErrors(validate.errors, `/body/examples/${i}`));
  }
  return errors;
}

/** The shared lifecycle steps, for event definitions (latest = newest created active version). */
export const eventVersions = versioned({
  label: 'Event definition',
  businessId: 'event_id',
  repository: eventDefinitions,
  current: 'newest',
  named: (id, version) => `Event definition ${id}@${version}`,
  ref: (id, version) => `${id}@${version}`,
});

/** Creates a definition version (status default `active`); 409 when (event_id, version) or (pattern, version) exists. */
export async function createEventDefinition(
  db: Knex,
  body: EventDefinitionBody,
  user?: string,
): Promise<EventDefinitionRow> {
  const errors = await eventDefinitionErrorsOffThread(body);
  const other = await eventDefinitions.otherPattern(db, body.event_id, body.pattern);
  if (other)
    errors.push({ pointer: '/body/pattern', message: `other versions of ${body.event_id} use pattern ${other}` });
  if (errors.length > 0) throw AppError.unprocessable('Event definition is invalid', errors);
  const conflict = `${body.event_id}@${body.version} (or ${body.pattern}@${body.version}) already exists`;
  const row = await eventVersions.insert(
    db,
    { status: 'active', ...body, created_by: user, updated_by: user },
    conflict,
  );
  invalidateEventDefinitions();
  return row;
}

/** Changes a version: drafts are editable; other versions only change status (draft -> active -> deprecated). */
export async function updateEventDefinition(
  db: Knex,
  eventId: string,
  version: string,
  patch: Partial<EventDefinitionBody>,
  user?: string,
  precondition?: Precondition<EventDefinitionRow>,
): Promise<EventDefinitionRow> {
  const current = await eventVersions.getVersion(db, eventId, version);
  precondition?.(current);
  const { status, ...fields } = patch;
  if (Object.keys(fields).length > 0) {
    eventVersions.assertDraft(current);
    const errors = await eventDefinitionErrorsOffThread({
      payload_schema: current.payload_schema,
      examples: current.examples as object[],
      ...fields,
    });
    if (errors.length > 0) throw AppError.unprocessable('Event definition is invalid', errors);
  }
  let row: EventDefinitionRow | undefined = current;
  if (Object.keys(fields).length > 0)
    row = await eventDefinitions.updateDraft(db, current.id, { ...fields, updated_by: user });
  if (row && status && status !== row.status)
    row = await eventDefinitions.setStatus(db, current.id, status as DefinitionStatus, user);
  if (!row) throw AppError.conflict(`${eventId}@${version} changed concurrently or cannot move to ${status}`);
  invalidateEventDefinitions();
  return row;
}

/** Deletes a draft or deprecated version (stored events keep their data; their definition link is cleared). */
export async function deleteEventDefinition(db: Knex, eventId: string, version: string): Promise<void> {
  await eventVersions.remove(db, eventId, version);
  invalidateEventDefinitions();
}
