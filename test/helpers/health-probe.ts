/**
 * A health probe of the whole platform: an event starts a run through a trigger, the run waits in a
 * `wait_for_event`, a second event (same correlation) resumes it, and it completes. It passes only when the API,
 * the event dispatcher, the interpreter and the mirror all move, so availability tests run it while a hostile
 * run is in flight and again afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type request from 'supertest';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';

/** What the probe needs: the database and an API agent allowed to write triggers and publish events. */
export interface ProbeDeps {
  db: Knex;
  http: ReturnType<typeof request.agent>;
}

/** One installed probe (its definition and trigger); `run()` may be called any number of times. */
export interface HealthProbe {
  /** Runs one start-wait-resume round trip; resolves with its duration, rejects when it does not complete in time. */
  run(timeoutMs?: number): Promise<{ ms: number; workflowId: string }>;
}

const WORKFLOW_INSTANCES = 'workflow_orchestrator_service.workflow_instances';

/** Stores the probe's definition and trigger (unregistered event patterns must be accepted, or registered). */
export async function installHealthProbe(deps: ProbeDeps): Promise<HealthProbe> {
  const p = `probe${randomBytes(4).toString('hex')}`;
  const definition = {
    workflow_id: `${p}-flow`,
    name: 'health probe',
    version: '1.0.0',
    steps: [
      { id: 'wait', type: 'wait_for_event', event: `${p}.resume`, correlation: '{% $input.key %}', timeout: '120s' },
      { id: 'done', type: 'succeed', output: { key: '{% $input.key %}', resumedWith: '{% $steps.wait.output %}' } },
    ],
  };
  await workflowDefinitions.insert(deps.db, {
    workflow_id: definition.workflow_id,
    version: '1.0.0',
    name: definition.name,
    status: 'active',
    definition,
  });
  await deps.http
    .post('/api/v1/triggers')
    .send({
      workflowDefinitionId: definition.workflow_id,
      eventPattern: `${p}.start`,
      triggerType: 'START',
      inputMapping: { key: 'payload.key' },
    })
    .expect(201);
  let n = 0;
  return {
    async run(timeoutMs = 60_000) {
      const t0 = Date.now();
      const key = `${p}-${++n}`;
      const started = await deps.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.start`, payload: { key } })
        .expect(202);
      const row = () => deps.db(WORKFLOW_INSTANCES).whereRaw(`trigger->>'eventId' = ?`, [started.body.eventId]).first();
      const waiting = await poll(
        async () => ((await row())?.status === 'waiting' ? row() : undefined),
        t0 + timeoutMs,
        `probe ${key}: the run did not start and wait`,
      );
      await deps.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.resume`, payload: { ok: n }, metadata: { correlationId: key } })
        .expect(202);
      const done = await poll(
        async () => ((await row())?.status === 'completed' ? row() : undefined),
        t0 + timeoutMs,
        `probe ${key}: the run was not resumed`,
      );
      if (done.output?.key !== key || done.output?.resumedWith?.ok !== n)
        throw new Error(`probe ${key}: unexpected output ${JSON.stringify(done.output)}`);
      return { ms: Date.now() - t0, workflowId: waiting.temporal_workflow_id };
    },
  };
}

async function poll<T>(fn: () => Promise<T | undefined>, until: number, what: string): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what} in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
