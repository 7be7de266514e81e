/**
 * Entry point of a validation thread (pool.ts): runs the same checkers the API would run inline, on one job
 * per message. Everything here is CPU work on the document alone; nothing touches the database.
 */
import { parentPort } from 'node:worker_threads';
import { validateDefinition, validateTaskDefinition } from '../../common/definitions/validate';
import { schemaErrors, valueErrors } from '../../common/json-schema/user-schemas';
import { definitionErrors } from '../definitions/event-definitions';
import { triggerErrors } from '../events/triggers';
import { THREAD_READY, type ValidationJob, type ValidationReply } from './protocol';

function check(job: ValidationJob): Extract<ValidationReply, { ok: true }>['errors'] {
  switch (job.kind) {
    case 'workflow-definition': {
      const known = new Set(job.knownTasks);
      return validateDefinition(job.doc, { knownTasks: (ref) => known.has(ref) });
    }
    case 'task-definition':
      return validateTaskDefinition(job.doc);
    case 'trigger':
      return triggerErrors(job.body);
    case 'event-definition':
      return definitionErrors(job.body);
    case 'json-schema':
      return schemaErrors(job.schema, job.pointer);
    case 'value':
      return valueErrors(job.schema, job.value, job.pointer);
  }
}

parentPort?.on('message', (job: ValidationJob) => {
  let reply: ValidationReply;
  try {
    reply = { ok: true, errors: check(job) };
  } catch (err) {
    reply = { ok: false, message: (err as Error).stack ?? String(err) };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage(THREAD_READY);
