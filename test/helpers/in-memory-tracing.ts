/**
 * An in-memory OpenTelemetry tracer provider for tests: registered globally (with an AsyncLocalStorage context
 * manager, so the active span follows awaits), its finished spans kept in memory to assert names and parents.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The registered provider's finished spans. */
export interface TestTracing {
  /** Finished spans so far, oldest first. */
  spans(): ReadableSpan[];
  /** Finished spans named `name`. */
  named(name: string): ReadableSpan[];
  /** Finished spans whose attribute `key` equals `value`. */
  withAttr(key: string, value: unknown): ReadableSpan[];
  /** Unregisters the provider (and the context manager and propagator). */
  shutdown(): Promise<void>;
}

/** Registers an in-memory provider as the global one. */
export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  // NodeTracerProvider is the BasicTracerProvider that registers an AsyncLocalStorage context manager.
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  const spans = () => exporter.getFinishedSpans();
  return {
    spans,
    named: (name) => spans().filter((s) => s.name === name),
    withAttr: (key, value) => spans().filter((s) => s.attributes[key] === value),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The span's W3C traceparent (what a child of it carries). */
export const traceparentOfSpan = (s: ReadableSpan): string =>
  `00-${s.spanContext().traceId}-${s.spanContext().spanId}-${s.spanContext().traceFlags.toString(16).padStart(2, '0')}`;
