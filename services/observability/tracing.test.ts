import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { tracer } from '../../common/telemetry';
import { PostgresSpanProcessor, processTracing, setupTracing, type TracingConfig } from './tracing';

const CONFIG: TracingConfig = {
  tracing: 'on',
  tracingSampleRatio: 1,
  observabilityTracesDb: true,
  observabilityTracesQueueMax: 100,
  observabilityTracesFlushMs: 10,
  otelServiceName: undefined,
  otelExporterOtlpEndpoint: undefined,
  otelExporterOtlpTracesEndpoint: undefined,
};

afterEach(async () => {
  await processTracing()?.shutdown(100);
});

describe('setupTracing', () => {
  it('with TRACING=off sets up nothing: spans stay no-ops', () => {
    expect(setupTracing({ ...CONFIG, tracing: 'off' }, 'aos-test')).toBeUndefined();
    expect(tracer().startSpan('x').isRecording()).toBe(false);
  });

  it('registers once per process, names the service, and starts afresh after shutdown', async () => {
    const first = setupTracing({ ...CONFIG, otelServiceName: 'custom' }, 'aos-test');
    expect(first?.resource.attributes['service.name']).toBe('custom');
    expect(setupTracing(CONFIG, 'other')).toBe(first);
    expect(tracer().startSpan('x').isRecording()).toBe(true);
    await first?.shutdown(100);
    expect(processTracing()).toBeUndefined();
    expect(tracer().startSpan('x').isRecording()).toBe(false);
    const second = setupTracing(CONFIG, 'aos-again');
    expect(second).not.toBe(first);
    expect(second?.resource.attributes['service.name']).toBe('aos-again');
  });

  it('keeps no span of a new trace at ratio 0, but follows a sampled parent', () => {
    setupTracing({ ...CONFIG, tracingSampleRatio: 0 }, 'aos-test');
    expect(tracer().startSpan('root').isRecording()).toBe(false);
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(tracer().startSpan('child', {}, parent).isRecording()).toBe(true);
  });
});

describe('PostgresSpanProcessor', () => {
  it('never throws from onEnd and counts the spans a failing database drops', async () => {
    const drops: string[] = [];
    const p = new PostgresSpanProcessor(CONFIG, (reason, n) => drops.push(`${reason}:${n}`));
    p.start({ raw: () => Promise.reject(new Error('database down')) } as never);
    expect(() => p.onEnd({} as ReadableSpan)).not.toThrow(); // not mappable: ignored
    setupTracing({ ...CONFIG, observabilityTracesDb: false }, 'aos-test', { processors: [p] });
    tracer().startSpan('dropped').end();
    await p.forceFlush();
    expect(p.stats().dropped.write_failed).toBe(1);
    expect(drops).toEqual(['write_failed:1']);
    await p.close(100);
  });
});
