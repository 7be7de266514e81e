/**
 * Validation of definition documents: offline with the platform's own validators and schemas (the workflow and
 * task validators of common/definitions, the event definition and trigger JSON Schemas), and, given a platform,
 * through its dry-run endpoints (`POST /workflow-definitions/validate`, `POST /task-definitions/validate`), which
 * also check that the tasks a workflow names exist. Event definitions, triggers and test definitions have no
 * dry-run endpoint: they are checked offline only.
 */
import { ajv, toFieldErrors } from '../common/ajv';
import { validateDefinition, validateTaskDefinition } from '../common/definitions/validate';
import { eventDefinitionSchema, triggerCreateSchema } from '../common/events/schema';
import type { Client } from './client';
import type { LoadedDocument, Problem } from './documents';

const checkEvent = ajv.compile(eventDefinitionSchema);
const checkTrigger = ajv.compile(triggerCreateSchema);

type Located = Array<{ pointer: string; message: string }>;

/** Offline errors of one document (pointers into the document). */
export function localErrors(doc: LoadedDocument): Located {
  switch (doc.kind) {
    case 'workflow':
      return validateDefinition(doc.body);
    case 'task':
      return validateTaskDefinition(doc.body);
    case 'event':
      return checkEvent(doc.body) ? [] : toFieldErrors(checkEvent.errors);
    case 'trigger':
      return checkTrigger(doc.body) ? [] : toFieldErrors(checkTrigger.errors);
    case 'test':
      return testDefinitionErrors(doc.body);
  }
}

/** The fields every test definition has (its full checks are the platform's, on apply). */
function testDefinitionErrors(body: Record<string, unknown>): Located {
  const errors: Located = [];
  for (const field of ['name', 'target_type', 'target_id']) {
    if (typeof body[field] !== 'string' || body[field] === '')
      errors.push({ pointer: `/${field}`, message: 'is required' });
  }
  if (body.target_type !== undefined && !['workflow', 'task'].includes(body.target_type as string)) {
    errors.push({ pointer: '/target_type', message: 'must be workflow or task' });
  }
  if (!Array.isArray(body.test_cases)) errors.push({ pointer: '/test_cases', message: 'must be an array' });
  else
    body.test_cases.forEach((c: unknown, i) => {
      const id = (c as { case_id?: unknown } | null)?.case_id;
      if (typeof id !== 'string' || id === '')
        errors.push({ pointer: `/test_cases/${i}/case_id`, message: 'is required' });
    });
  return errors;
}

const DRY_RUN: Partial<Record<LoadedDocument['kind'], string>> = {
  workflow: '/workflow-definitions/validate',
  task: '/task-definitions/validate',
};

/**
 * Errors the platform finds (dry run). A workflow's reference to a task defined in `documents` is not an error:
 * apply writes tasks before workflows.
 */
export async function remoteErrors(client: Client, doc: LoadedDocument, documents: LoadedDocument[]): Promise<Located> {
  const path = DRY_RUN[doc.kind];
  if (!path) return [];
  const { body } = await client.send<{ errors: Array<{ pointer: string; message: string; code?: string }> }>(
    'POST',
    path,
    doc.body,
  );
  const tasks = new Set(documents.filter((d) => d.kind === 'task').flatMap((d) => [d.id, `${d.id}@${d.version}`]));
  // The platform names the missing reference in its message: `task "<id>[@<version>]" does not exist`.
  const definedHere = (message: string) => tasks.has(/task "([^"]+)"/.exec(message)?.[1] ?? '');
  return body.errors.filter((e) => !(e.code === 'unknown_task' && definedHere(e.message)));
}

/** Every error of every document: offline, then (given a client) the platform's, without repeating one. */
export async function validateDocuments(documents: LoadedDocument[], client?: Client): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const doc of documents) {
    const errors = localErrors(doc);
    if (client) {
      const seen = new Set(errors.map((e) => `${e.pointer} ${e.message}`));
      for (const e of await remoteErrors(client, doc, documents))
        if (!seen.has(`${e.pointer} ${e.message}`)) errors.push(e);
    }
    problems.push(...errors.map((e) => ({ source: doc.source, pointer: e.pointer, message: e.message })));
  }
  return problems;
}
