/**
 * Issue #16 item 6: an `emit_event` step may set the event's `source`, and its output is the stored event (what
 * `GET /events/{id}` shows), not only its id. A source type the event definition does not allow fails the step.
 */
import { createEventDefinition } from '../../services/definitions/event-definitions';
import { activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';

jest.setTimeout(120_000);
let h: EventsHarness;
const p = `em${uniq()}`;

beforeAll(async () => {
  h = await createEventsHarness({ worker: true });
  await createEventDefinition(h.db, {
    event_id: `${p}-shipped`,
    name: 'shipped',
    pattern: `${p}.shipped`,
    version: '1.0.0',
    source_types: ['workflow', 'integration'],
    payload_schema: { type: 'object', required: ['orderId'] },
  } as never);
});
afterAll(() => h?.close());

async function run(workflowId: string, source: Record<string, unknown> | undefined): Promise<unknown> {
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [
      {
        id: 'announce',
        type: 'emit_event',
        event: `${p}.shipped`,
        payload: { orderId: '{% $input.id %}' },
        ...(source && { source }),
      } as never,
    ],
  });
  const started = await h.http
    .post(`/api/v1/workflow-definitions/${workflowId}/runs`)
    .send({ input: { id: 'o-1' }, correlation_key: 'o-1' })
    .expect(201);
  return h.temporal.workflow.getHandle(started.body.workflow_id as string).result();
}

it('returns the stored event, with the source fields the step set over the defaults', async () => {
  const out = (await run(`${p}-set`, { type: 'integration', name: "{% 'carrier/' & $input.id %}" })) as Record<
    string,
    unknown
  >;
  const stored = (await h.http.get(`/api/v1/events/${out.eventId as string}`).expect(200)).body;
  const { delivery: _delivery, id: _id, eventDefinitionId: _def, createdAt: _created, ...envelope } = stored;
  expect(out).toEqual(envelope);
  expect(out.source).toEqual({ type: 'integration', id: expect.any(String), name: 'carrier/o-1' });
  expect((out.source as { id: string }).id).toContain(`${p}-set`);
  expect(out).toMatchObject({ pattern: `${p}.shipped`, version: '1.0.0', payload: { orderId: 'o-1' } });
  expect(out.metadata).toMatchObject({ correlationId: 'o-1' });
});

it('keeps the default source when the step sets none', async () => {
  const out = (await run(`${p}-default`, undefined)) as { source: Record<string, string> };
  expect(out.source).toEqual({
    type: 'workflow',
    id: expect.stringContaining(`${p}-default`),
    name: `${p}-default@1.0.0#announce`,
  });
});

it('fails the step when the event definition does not allow the source type', async () => {
  const failure = (await run(`${p}-refused`, { type: 'external' }).catch((e: unknown) => e)) as {
    cause?: { type?: string; details?: unknown };
  };
  expect(failure.cause?.type).toBe('SchemaViolation');
  expect(JSON.stringify(failure.cause?.details)).toContain('/event/source/type');
});
