/** Event trace context with tracing off (no provider registered): nothing is recorded, a sent context is kept. */
import { startIngestSpan, metadataWithTrace } from './tracing';

describe('event trace context without a tracer provider', () => {
  it('stores a sent traceparent and tracestate as sent', () => {
    const metadata = {
      correlationId: 'c',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=abc',
    };
    const span = startIngestSpan({ pattern: 'a.b', metadata }, 'e-1');
    expect(span.isRecording()).toBe(false);
    expect(metadataWithTrace(metadata, span)).toEqual(metadata);
  });

  it('leaves metadata without a context as it is', () => {
    const metadata = { correlationId: 'c', traceId: 'not-a-trace-id' };
    expect(metadataWithTrace(metadata, startIngestSpan({ pattern: 'a.b', metadata }, 'e-1'))).toBe(metadata);
    expect(metadataWithTrace(undefined, startIngestSpan({ pattern: 'a.b' }, 'e-2'))).toBeUndefined();
  });

  it('turns a 32-hex metadata.traceId into a traceparent of that trace', () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const span = startIngestSpan({ pattern: 'a.b', metadata: { traceId } }, 'e-3');
    expect(metadataWithTrace({ traceId }, span)).toEqual({
      traceId,
      traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)),
    });
  });
});
