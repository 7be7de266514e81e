/**
 * Entry point of a validation thread (pool.ts): runs the same checkers the API would run inline, on one job
 * per message. Everything here is CPU work on the document alone; nothing touches the database.
 */
import { parentPort } from 'node:worker_threads';
import { validateTestDefinition } from '../../common/definitions/test-definition-validate';
import { validateDefinition, validateTaskDefinition } from '../../common/definitions/validate';
import { schemaErrors, valueErrors } from '../../common/json-schema/user-schemas';
import { definitionErrors } from '../definitions/event-definitions';
import { triggerErrors } from '../events/triggers';
import { uiComponentErrors } from '../forms/checks';
import { THREAD_READY, type ValidationJob, type ValidationReply } from './protocol';

function check(job: ValidationJob): Extract<ValidationReply, { ok: true }>['errors'] {
  switch (job.kind) {
    case 'workflow-definition': {
      const known = new Set(job.knownTasks);
      const manual = new Set(job.manualTasks);
      return validateDefinition(job.doc, {
        knownTasks: (ref) => known.has(ref),
        manualTasks: (ref) => manual.has(ref),
      });
    }
    case 'task-definition':
      return validateTaskDefinition(job.doc);
    case 'test-definition':
      return validateTestDefinition(job.doc, job.target);
    case 'trigger':
      return triggerErrors(job.body);
    case 'event-definition':
      return definitionErrors(job.body);
    case 'ui-component':
      return uiComponentErrors(job.doc);
    case 'json-schema':
      return schemaErrors(job.schema, job.pointer);
    case 'value':
      return valueErrors(job.schema, job.value, job.pointer);
  }
}

/**
 * Runs each checker once on a trivial document before the thread says it is ready, so the schema validators are
 * compiled at boot (which no job's time budget counts) and a thread that replaces one stopped for overrunning its
 * time answers its first job at full speed.
 */
function warmUp(): void {
  const flow = { workflow_id: 'warm-up', name: 'warm-up', version: '1.0.0', steps: [{ id: 'done', type: 'succeed' }] };
  check({ kind: 'workflow-definition', doc: { ...flow, vars: { x: '{% 1 + 1 %}' } }, knownTasks: [] });
  check({ kind: 'task-definition', doc: null });
  check({ kind: 'ui-component', doc: null });
  check({ kind: 'test-definition', doc: null });
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
warmUp();
parentPort?.postMessage(THREAD_READY);
