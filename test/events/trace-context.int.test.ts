/**
 * Trace context through events, with an in-memory tracer provider in this process (the API app and the
 * orchestrator worker, whose dispatcher and emit activities run here too): ingest spans take the publisher's
 * context, the stored event names its ingest span, routing continues the event's trace, and an emitted event
 * carries the emitting run's trace.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEmitEventActivity } from '../../activities/events/emit-event';
import type { StepContext, WorkflowDefinition } from '../../common/definitions/types';
import { withSpan } from '../../common/telemetry';
import { eventDispatchHash } from '../../common/events/dispatch-shards';
import { publishEvent } from '../../services/events/ingest';
import { installTestTracing, traceparentOfSpan, type TestTracing } from '../helpers/in-memory-tracing';
import { eventually, startInterpreter, storeDefinition } from './flows';
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(60_000);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const traceparent = (trace = TRACE, parent = PARENT) => `00-${trace}-${parent}-01`;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

describe('trace context through events', () => {
  let tracing: TestTracing;
  let h: EventsHarness;
  const p = `trc${uniq()}`;
  const def = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });

  /** The finished span named `name` (its prefix, e.g. `event.route`) for this event. */
  const spanOf = (prefix: string, eventId: string): ReadableSpan | undefined =>
    tracing.withAttr('aos.event_id', eventId).find((s) => s.name.startsWith(`${prefix} `) || s.name === prefix);
  const finished = (prefix: string, eventId: string) => eventually(async () => spanOf(prefix, eventId));
  const storedMetadata = async (eventId: string) =>
    (await h.db('event_processing_service.event_instances').where({ event_id: eventId }).first()).metadata;
  const trigger = async (body: object) => (await h.http.post('/api/v1/triggers').send(body).expect(201)).body;

  beforeAll(async () => {
    tracing = installTestTracing();
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
    await tracing.shutdown();
  });

  describe('ingest', () => {
    it('parents the ingest span by metadata.traceparent (with tracestate) and stores the ingest span as the traceparent', async () => {
      const eventId = `e-${uniq()}`;
      const metadata = { traceparent: traceparent(), tracestate: 'vendor=abc', traceId: 'caller-chosen-id' };
      const res = await h.http
        .post('/api/v1/events')
        .send({ eventId, pattern: `${p}.ingested`, payload: {}, metadata })
        .expect(202);
      const ingest = await finished('event.ingest', eventId);
      expect(ingest.name).toBe(`event.ingest ${p}.ingested`);
      expect(ingest.kind).toBe(SpanKind.PRODUCER);
      expect(ingest.spanContext().traceId).toBe(TRACE);
      expect(ingest.parentSpanId).toBe(PARENT);
      expect(ingest.attributes).toMatchObject({
        'aos.event_id': eventId,
        'aos.event_pattern': `${p}.ingested`,
        'aos.event_created': true,
      });
      const expected = {
        traceparent: traceparentOfSpan(ingest),
        tracestate: 'vendor=abc',
        traceId: 'caller-chosen-id',
      };
      expect(res.body.metadata).toMatchObject(expected);
      expect(await storedMetadata(eventId)).toMatchObject(expected);
    });

    it('joins the trace of metadata.traceId when no traceparent is given', async () => {
      const eventId = `e-${uniq()}`;
      const traceId = hex(32);
      await h.http
        .post('/api/v1/events')
        .send({ eventId, pattern: `${p}.by-id`, payload: {}, metadata: { traceId } })
        .expect(202);
      const ingest = await finished('event.ingest', eventId);
      expect(ingest.spanContext().traceId).toBe(traceId);
      expect(await storedMetadata(eventId)).toEqual({ traceId, traceparent: traceparentOfSpan(ingest) });
    });

    it('is a child of the active span when the event names no context', async () => {
      const eventId = `e-${uniq()}`;
      const request = await withSpan('request', {}, async (span) => {
        await publishEvent({ ...h.deps, handoff: false }, { eventId, pattern: `${p}.plain`, payload: {} });
        return span.spanContext();
      });
      const ingest = await finished('event.ingest', eventId);
      expect(ingest.spanContext().traceId).toBe(request.traceId);
      expect(ingest.parentSpanId).toBe(request.spanId);
      expect((await storedMetadata(eventId)).traceparent).toBe(traceparentOfSpan(ingest));
    });

    it('leaves the stored metadata unchanged when the same eventId is published again', async () => {
      const eventId = `e-${uniq()}`;
      const body = { eventId, pattern: `${p}.again`, payload: {}, metadata: { traceparent: traceparent() } };
      const first = (await h.http.post('/api/v1/events').send(body).expect(202)).body;
      const other = { ...body, metadata: { traceparent: traceparent(hex(32), hex(16)), tracestate: 'x=1' } };
      const again = (await h.http.post('/api/v1/events').send(other).expect(200)).body;
      expect(again.metadata).toEqual(first.metadata);
      expect(await storedMetadata(eventId)).toEqual(first.metadata);
      const repeat = await eventually(async () =>
        tracing.withAttr('aos.event_id', eventId).find((s) => s.attributes['aos.event_created'] === false),
      );
      expect(repeat.spanContext().traceId).toBe(other.metadata.traceparent.slice(3, 35));
    });

    it('gives each event of a batch its own ingest span under its own parent', async () => {
      const [a, b] = [`e-${uniq()}`, `e-${uniq()}`];
      const [ta, tb] = [hex(32), hex(32)];
      await h.http
        .post('/api/v1/events/batch')
        .send({
          events: [
            { eventId: a, pattern: `${p}.batch`, payload: {}, metadata: { traceparent: traceparent(ta) } },
            { eventId: b, pattern: `${p}.batch`, payload: {}, metadata: { traceId: tb } },
          ],
        })
        .expect(202);
      const [ia, ib] = [await finished('event.ingest', a), await finished('event.ingest', b)];
      expect([ia.spanContext().traceId, ib.spanContext().traceId]).toEqual([ta, tb]);
      expect((await storedMetadata(a)).traceparent).toBe(traceparentOfSpan(ia));
      expect((await storedMetadata(b)).traceparent).toBe(traceparentOfSpan(ib));
    });
  });

  describe('delivery', () => {
    it('routes in a span whose parent is the event stored context, linked to its dispatch pass; the started run records it', async () => {
      const echo = def('echo', [{ id: 'done', type: 'succeed', output: '{% $input %}' }]);
      await storeDefinition(h.db, echo);
      const t = await trigger({
        workflowDefinitionId: echo.workflow_id,
        eventPattern: `${p}.start`,
        triggerType: 'START',
      });
      const eventId = `e-${uniq()}`;
      await h.http
        .post('/api/v1/events')
        .send({ eventId, pattern: `${p}.start`, payload: { n: 1 }, metadata: { traceparent: traceparent() } })
        .expect(202);
      const route = await finished('event.route', eventId);
      const ingest = await finished('event.ingest', eventId);
      expect(route.name).toBe(`event.route ${p}.start`);
      expect(route.kind).toBe(SpanKind.CONSUMER);
      expect(route.spanContext().traceId).toBe(TRACE);
      expect(route.parentSpanId).toBe(ingest.spanContext().spanId);
      const run = await h
        .db('workflow_orchestrator_service.workflow_instances')
        .whereRaw(`trigger->>'eventId' = ?`, [eventId])
        .first();
      expect(route.attributes).toMatchObject({
        'aos.event_id': eventId,
        'aos.delivery.attempt': 1,
        'aos.delivery.outcome': 'delivered',
        'aos.delivery.dead_lettered': false,
        'aos.route.trigger_ids': [t.triggerId],
        'aos.route.runs_started': 1,
        'aos.route.started_workflow_ids': [run.temporal_workflow_id],
        'aos.route.waits_resumed': 0,
      });
      expect(run.trigger.traceparent).toBe(traceparentOfSpan(route));

      const [link] = route.links;
      const pass = tracing.named('event.dispatch').find((s) => s.spanContext().spanId === link?.context.spanId);
      expect(pass).toBeDefined();
      expect(pass!.attributes['aos.dispatch.claimed']).toBeGreaterThanOrEqual(1);
      expect(pass!.attributes['aos.dispatch.batch_limit']).toBeGreaterThanOrEqual(1);
      // The pass of the event's shard: `aos-event-dispatcher:<taskQueue>:<index>/<count>`.
      const shard = eventDispatchHash({ eventId, sequenceKey: null }) % h.config.eventDispatchShards;
      expect(pass!.attributes['aos.dispatcher_id']).toBe(
        `aos-event-dispatcher:${h.config.taskQueue}:${shard}/${h.config.eventDispatchShards}`,
      );
    });

    it('records the resumed waiting run and the correlation on the routing span', async () => {
      const key = `k-${uniq()}`;
      const waiter = def('wait', [
        { id: 'wait', type: 'wait_for_event', event: `${p}.answer`, correlation: '{% $input.key %}', timeout: '60s' },
      ]);
      const rowId = await storeDefinition(h.db, waiter);
      const { handle } = await startInterpreter(h.temporal, h.config, waiter, { input: { key }, rowId });
      await eventually(() =>
        h
          .db('workflow_orchestrator_service.workflow_event_subscriptions')
          .where({ temporal_workflow_id: handle.workflowId, status: 'open' })
          .first(),
      );
      const eventId = `e-${uniq()}`;
      await h.http
        .post('/api/v1/events')
        .send({ eventId, pattern: `${p}.answer`, payload: { ok: true }, metadata: { correlationId: key } })
        .expect(202);
      await expect(handle.result()).resolves.toEqual({ ok: true });
      const route = await finished('event.route', eventId);
      expect(route.parentSpanId).toBe((await finished('event.ingest', eventId)).spanContext().spanId);
      expect(route.attributes).toMatchObject({
        'aos.event_correlation': key,
        'aos.route.waits_resumed': 1,
        'aos.route.resumed_workflow_ids': [handle.workflowId],
        'aos.route.runs_started': 0,
      });
    });

    it('marks the routing span failed and dead-lettered when routing cannot succeed', async () => {
      const echo = def('bad', [{ id: 'done', type: 'succeed' }]);
      await storeDefinition(h.db, echo);
      await trigger({
        workflowDefinitionId: echo.workflow_id,
        eventPattern: `${p}.poison`,
        triggerType: 'START',
        eventCondition: '$error("no")',
      });
      const eventId = `e-${uniq()}`;
      await h.http
        .post('/api/v1/events')
        .send({ eventId, pattern: `${p}.poison`, payload: {} })
        .expect(202);
      const route = await finished('event.route', eventId);
      expect(route.status.code).toBe(SpanStatusCode.ERROR);
      expect(route.attributes).toMatchObject({
        'aos.delivery.outcome': 'dead_lettered',
        'aos.delivery.dead_lettered': true,
      });
    });
  });

  describe('emit_event', () => {
    it('emits an event carrying the run trace: run span > event.emit > event.ingest', async () => {
      const ctx: StepContext = {
        instanceId: randomUUID(),
        workflowId: `run-${uniq()}`,
        runId: 'r',
        definitionId: `${p}-emitter`,
        definitionVersion: '1.0.0',
        stepId: 'emit',
        stepPath: 'emit',
      };
      const eventId = `e-${uniq()}`;
      const { emitEvent } = createEmitEventActivity({ ...h.deps, logger: h.deps.logger });
      const run = await withSpan('run', {}, async (span) => {
        await emitEvent({ pattern: `${p}.emitted`, payload: { a: 1 }, ctx, eventId });
        return span.spanContext();
      });
      const emit = await finished('event.emit', eventId);
      const ingest = await finished('event.ingest', eventId);
      expect(emit.name).toBe(`event.emit ${p}.emitted`);
      expect(emit.parentSpanId).toBe(run.spanId);
      expect(emit.attributes).toMatchObject({
        'aos.workflow_instance_id': ctx.instanceId,
        temporalWorkflowId: ctx.workflowId,
        'aos.step_id': 'emit',
      });
      expect(ingest.parentSpanId).toBe(emit.spanContext().spanId);
      const metadata = await storedMetadata(eventId);
      expect(metadata.traceparent).toBe(traceparentOfSpan(ingest));
      expect(metadata.traceparent.slice(3, 35)).toBe(run.traceId);
    });

    it('through Temporal, the emitted event names the emit span trace and its routing continues it', async () => {
      const emitter = def('emitter', [{ id: 'emit', type: 'emit_event', event: `${p}.chain`, payload: { x: 1 } }]);
      const rowId = await storeDefinition(h.db, emitter);
      const { handle } = await startInterpreter(h.temporal, h.config, emitter, { rowId });
      const { eventId } = (await handle.result()) as { eventId: string };
      const emit = await finished('event.emit', eventId);
      const ingest = await finished('event.ingest', eventId);
      const route = await finished('event.route', eventId);
      expect(emit.attributes['temporalWorkflowId']).toBe(handle.workflowId);
      expect(ingest.parentSpanId).toBe(emit.spanContext().spanId);
      expect(route.parentSpanId).toBe(ingest.spanContext().spanId);
      expect(route.spanContext().traceId).toBe(emit.spanContext().traceId);
      expect((await storedMetadata(eventId)).traceparent).toBe(traceparentOfSpan(ingest));
    });
  });
});
