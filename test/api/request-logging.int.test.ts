/**
 * Request ids in log lines: every line logged while a request is handled — the handler's own, the error
 * handler's and the access log — carries that request's id, the one answered in X-Request-Id.
 */
import request from 'supertest';
import { hashPassword } from '../../services/auth/passwords';
import { defineRoute } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { insertUser } from '../../db/repositories/auth-users';
import { activateWorkflowDefinition, createWorkflowDefinition } from '../../services/definitions';
import { startRun } from '../../services/runs';
import { captureLogger, createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { uniqueTaskQueue } from '../helpers/temporal';

// A route that logs through the request's logger and then fails: the shape of any handler's bad day.
const failing = defineRoute({
  method: 'get',
  path: '/test-only/fails',
  operationId: 'testOnlyFails',
  summary: 'Logs, then throws',
  tags: ['test'],
  permission: 'public',
  responses: { 500: { description: 'Always' } },
  handler: async ({ res }) => {
    res.locals.log.info({ step: 'before failing' }, 'handler working');
    throw new Error('boom');
  },
});

const captured = captureLogger('trace');
let api: TestApi;
let admin: TestCaller;

beforeAll(async () => {
  // No worker polls this queue: a run started here stays open, so its mirror row can be made to drift.
  api = await createTestApi({
    logger: captured.logger,
    routes: [...allRoutes(), failing],
    config: { TASK_QUEUE: uniqueTaskQueue('logs'), LOG_LEVEL: 'trace' },
  });
  admin = await createTestCaller(api.deps, ['*'], 'logs');
});
afterAll(async () => api?.close());

/** Log lines (parsed) emitted while `send` runs, once the access line for it has been written. */
async function linesDuring(
  send: () => Promise<request.Response>,
): Promise<{ res: request.Response; lines: Array<Record<string, unknown>> }> {
  const from = captured.lines.length;
  const res = await send();
  // The access line is written on 'finish', which may come a tick after the client has the answer.
  for (let i = 0; i < 50 && !captured.lines.slice(from).some((l) => l.includes('"msg":"request"')); i++)
    await new Promise((r) => setTimeout(r, 10));
  return { res, lines: captured.lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const idsAndMessages = (lines: Array<Record<string, unknown>>) =>
  lines.map((l) => ({ msg: l.msg, requestId: l.requestId }));

describe('request ids in log lines', () => {
  it('tags the handler line, the error line and the access line of a failing request with its id', async () => {
    const { res, lines } = await linesDuring(() =>
      request(api.app).get('/api/v1/test-only/fails').set('X-Request-Id', 'req-fails-1'),
    );
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toBe('req-fails-1');
    expect(idsAndMessages(lines)).toEqual(
      expect.arrayContaining(
        ['handler working', 'request failed', 'request'].map((msg) => ({ msg, requestId: 'req-fails-1' })),
      ),
    );
    expect(idsAndMessages(lines).filter((l) => l.requestId !== 'req-fails-1')).toEqual([]);
  });

  it('tags the rejection line and the access line of a refused request, with a generated id when none is sent', async () => {
    const { res, lines } = await linesDuring(() =>
      request(api.app).post('/api/v1/ui-components').set(admin.bearer).send({ component_id: 'bad id!' }),
    );
    expect(res.status).toBe(422);
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(idsAndMessages(lines)).toEqual(
      expect.arrayContaining([
        { msg: 'request rejected', requestId: id },
        { msg: 'request', requestId: id },
      ]),
    );
    expect(idsAndMessages(lines).filter((l) => l.requestId !== id)).toEqual([]);
  });

  it('tags what a real handler logs: the reconciler repairing drift through POST /workflow-instances/reconcile', async () => {
    const flow = `logs-flow-${Date.now()}`;
    await createWorkflowDefinition(api.deps.db, {
      workflow_id: flow,
      name: 'logs',
      version: '1.0.0',
      steps: [{ id: 'wait', type: 'wait_for_event', event: 'logs.never', timeout: '10m' }],
    });
    await activateWorkflowDefinition(api.deps.db, flow, '1.0.0');
    const run = await startRun(api.deps, { workflowId: flow, input: {}, trigger: { kind: 'api' } });
    // Terminated behind the mirror's back: Temporal says terminated, the row still says pending.
    await api.deps.temporal.workflow.getHandle(run.workflowId).terminate('drift for the log test');
    // The reconciler leaves rows alone for a few seconds after a write; age this one without the updated_at trigger.
    await api.deps.db.transaction(async (trx) => {
      await trx.raw('SET LOCAL session_replication_role = replica');
      await trx('workflow_orchestrator_service.workflow_instances')
        .where({ id: run.instanceId })
        .update({ updated_at: new Date(Date.now() - 60_000) });
    });

    const { res, lines } = await linesDuring(() =>
      request(api.app)
        .post('/api/v1/workflow-instances/reconcile')
        .set(admin.bearer)
        .set('X-Request-Id', 'req-reconcile-1'),
    );
    expect(res.status).toBe(200);
    expect(idsAndMessages(lines)).toEqual(
      expect.arrayContaining([
        { msg: 'reconcile: drift repaired', requestId: 'req-reconcile-1' },
        { msg: 'request', requestId: 'req-reconcile-1' },
      ]),
    );
    expect(idsAndMessages(lines).filter((l) => l.requestId !== 'req-reconcile-1')).toEqual([]);
  });

  it('tags the warning about a reused refresh token', async () => {
    const username = `logs-user-${Date.now()}`;
    await insertUser(api.deps.db, { username, password_hash: await hashPassword('a long enough password') });
    const pair = (
      await request(api.app)
        .post('/api/v1/auth/login')
        .send({ username, password: 'a long enough password' })
        .expect(200)
    ).body;
    await request(api.app).post('/api/v1/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(200);
    const { res, lines } = await linesDuring(() =>
      request(api.app)
        .post('/api/v1/auth/refresh')
        .set('X-Request-Id', 'req-reuse-1')
        .send({ refresh_token: pair.refresh_token }),
    );
    expect(res.status).toBe(401);
    expect(idsAndMessages(lines)).toEqual(
      expect.arrayContaining([
        { msg: 'rotated refresh token reused: session family revoked', requestId: 'req-reuse-1' },
      ]),
    );
  });
});
