import { context, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MAX_ATTRIBUTE_VALUE, MAX_ATTRIBUTES_JSON, MAX_EVENTS, spanToRow } from './span-rows';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: new Resource({ 'service.name': 'aos-unit' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('test');
const INSTANCE = '0b9a4e52-3c53-4f6e-9d0a-2b7f8f0a1c11';

afterEach(() => exporter.reset());

function ended(
  name: string,
  fn: (span: ReturnType<typeof tracer.startSpan>) => void = () => undefined,
  parent: Context = context.active(),
) {
  const span = tracer.startSpan(
    name,
    { kind: SpanKind.SERVER, startTime: new Date('2026-01-02T03:04:05.000Z') },
    parent,
  );
  fn(span);
  span.end(new Date('2026-01-02T03:04:05.250Z'));
  return exporter.getFinishedSpans().find((s) => s.name === name)!;
}

describe('spanToRow', () => {
  it('maps ids, kind, status, times, service and the run ids to columns', () => {
    const parent = tracer.startSpan('parent');
    const parentId = parent.spanContext().spanId;
    const span = ended(
      'child',
      (s) => {
        s.setAttributes({ 'aos.workflow_instance_id': INSTANCE, temporalWorkflowId: 'wf-1', 'aos.step_id': 's' });
        s.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      },
      trace.setSpan(context.active(), parent),
    );
    expect(spanToRow(span)).toEqual({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
      parent_span_id: parentId,
      name: 'child',
      service: 'aos-unit',
      kind: 'server',
      status: 'error',
      started_at: '2026-01-02T03:04:05.000Z',
      ended_at: '2026-01-02T03:04:05.250Z',
      duration_ms: 250,
      temporal_workflow_id: 'wf-1',
      workflow_instance_id: INSTANCE,
      attributes: {
        'status.message': 'boom',
        'aos.workflow_instance_id': INSTANCE,
        temporalWorkflowId: 'wf-1',
        'aos.step_id': 's',
      },
      events: [],
    });
  });

  it('leaves the instance id column empty unless the attribute is a uuid, and a root span without parent', () => {
    const row = spanToRow(ended('root', (s) => s.setAttribute('aos.workflow_instance_id', 'not-a-uuid')));
    expect(row.workflow_instance_id).toBeNull();
    expect(row.parent_span_id).toBeNull();
    expect(row.status).toBe('unset');
  });

  it("takes the Temporal workflow id from the workflow sink's `workflowId` and drops its noise", () => {
    const row = spanToRow(
      ended('wf', (s) => s.setAttributes({ workflowId: 'wf-2', runId: 'r', historyLength: 12, taskTimeoutMs: 1 })),
    );
    expect(row.temporal_workflow_id).toBe('wf-2');
    expect(row.attributes).toEqual({ workflowId: 'wf-2', runId: 'r' });
  });

  it('records exceptions as events and bounds attributes and events', () => {
    const row = spanToRow(
      ended('big', (s) => {
        s.recordException(new Error('kaput'));
        for (let i = 0; i < 40; i++) s.addEvent(`e${i}`);
        s.setAttribute('long', 'x'.repeat(5000));
        for (let i = 0; i < 100; i++) s.setAttribute(`k${i}`, 'y'.repeat(200));
      }),
    );
    expect(row.events).toHaveLength(MAX_EVENTS);
    expect(row.events[0]).toMatchObject({
      name: 'exception',
      attributes: expect.objectContaining({ 'exception.message': 'kaput' }),
    });
    expect(row.attributes.long).toHaveLength(MAX_ATTRIBUTE_VALUE);
    expect(row.attributes['aos.attributes_truncated']).toBe(true);
    expect(JSON.stringify(row.attributes).length).toBeLessThanOrEqual(MAX_ATTRIBUTES_JSON + 40);
  });
});
