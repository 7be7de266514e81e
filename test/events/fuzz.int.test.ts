import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTestCaller } from '../helpers/auth';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { storeDefinition } from './flows';
import { hostileBodies, rng, type FuzzBody } from './fuzz-bodies';

jest.setTimeout(120_000);

describe('fuzz: hostile bodies to the event and trigger endpoints', () => {
  let h: EventsHarness;
  let server: Server;
  let base: string;
  let auth: Record<string, string>;
  let triggerId: string;
  const p = `fz${uniq()}`;

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false });
    auth = (await createTestCaller(h.deps, ['*'], 'fuzz')).bearer;
    await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-ev`,
        name: 'Fuzz',
        pattern: `${p}.thing.happened`,
        version: '1.0.0',
        payload_schema: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'string', maxLength: 64 } },
        },
      })
      .expect(201);
    const def = {
      workflow_id: `${p}-wf`,
      name: 'wf',
      version: '1.0.0',
      steps: [{ id: 'done', type: 'succeed' as const }],
    };
    await storeDefinition(h.db, def);
    triggerId = (
      await h.http
        .post('/api/v1/triggers')
        .send({ workflowDefinitionId: def.workflow_id, eventPattern: `${p}.thing.*`, triggerType: 'START' })
        .expect(201)
    ).body.id;
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  // Scoped to this file's namespace: other test files write to the same database at the same time. Any request
  // that wrote elsewhere would have been answered 2xx, which the status check already catches.
  const counts = async () => {
    const like = `${p}%`;
    const n = async (q: Promise<Array<{ n: number | string }>>) => Number((await q)[0].n);
    return Promise.all([
      n(h.db('event_processing_service.event_instances').where('pattern', 'like', like).count({ n: '*' })),
      n(
        h
          .db('event_processing_service.event_queue_state as q')
          .join('event_processing_service.event_instance_keys as k', 'k.event_id', 'q.event_id')
          .join('event_processing_service.event_instances as e', 'e.id', 'k.id')
          .where('e.pattern', 'like', like)
          .count({ n: '*' }),
      ),
      n(h.db('event_processing_service.event_sequences').where('sequence_key', 'like', like).count({ n: '*' })),
      n(
        h
          .db('workflow_orchestrator_service.workflow_event_triggers')
          .where('event_pattern', 'like', like)
          .count({ n: '*' }),
      ),
      n(h.db('event_processing_service.event_definitions').where('event_id', 'like', like).count({ n: '*' })),
    ]);
  };

  async function send(
    method: string,
    path: string,
    b: FuzzBody,
  ): Promise<{ status: number; type: string; problem: Record<string, unknown> }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, 'content-type': b.contentType },
      body: b.body,
    });
    const text = await res.text();
    let problem: Record<string, unknown> = {};
    try {
      problem = JSON.parse(text);
    } catch {
      /* asserted below through the content type */
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', problem };
  }

  it('answers every one with a 4xx problem+json and writes nothing', async () => {
    const r = rng(20_240_611);
    const event = {
      eventId: `e-${p}`,
      pattern: `${p}.thing.happened`,
      payload: { id: 'a' },
      metadata: { correlationId: `${p}-c` },
    };
    const trigger = {
      workflowDefinitionId: `${p}-wf`,
      eventPattern: `${p}.x`,
      triggerType: 'START',
      inputMapping: { a: 'payload.id' },
    };
    const targets: Array<[string, string, FuzzBody[]]> = [
      ['POST', '/events', hostileBodies(r, event, ['pattern', 'payload'], 1200)],
      [
        'POST',
        '/events/batch',
        hostileBodies(r, { events: [event] }, ['events'], 400).concat(
          hostileBodies(r, event, ['pattern', 'payload'], 200).map((b) => ({ ...b, body: `{"events":[${b.body}]}` })),
        ),
      ],
      ['POST', '/triggers', hostileBodies(r, trigger, ['workflowDefinitionId', 'eventPattern', 'triggerType'], 800)],
      ['PATCH', `/triggers/${triggerId}`, hostileBodies(r, { priority: 5, enabled: true }, [], 400)],
    ];
    const before = await counts();
    const triggerBefore = await h
      .db('workflow_orchestrator_service.workflow_event_triggers')
      .where({ id: triggerId })
      .first();
    const failures: unknown[] = [];
    let sent = 0;
    for (const [method, path, bodies] of targets) {
      for (let i = 0; i < bodies.length; i += 16) {
        const results = await Promise.all(
          bodies.slice(i, i + 16).map((b) => send(method, path, b).then((res) => ({ b, res }))),
        );
        for (const { b, res } of results) {
          sent++;
          const ok =
            res.status >= 400 &&
            res.status < 500 &&
            res.type.startsWith('application/problem+json') &&
            res.problem.status === res.status;
          if (!ok && failures.length < 10)
            failures.push({
              method,
              path,
              kind: b.kind,
              status: res.status,
              type: res.type,
              body: b.body.slice(0, 200),
              problem: res.problem,
            });
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(3000);
    expect(await counts()).toEqual(before);
    expect(
      await h.db('workflow_orchestrator_service.workflow_event_triggers').where({ id: triggerId }).first(),
    ).toEqual(triggerBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
