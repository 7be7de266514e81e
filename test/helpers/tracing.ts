/** Tracing for integration tests: this process's provider, spans to observability_traces flushed every 50 ms. */
import { setupTracing, type ProcessTracing } from '../../services/observability/tracing';

/** Sets up (once per test file's process) tracing on, with the PostgreSQL exporter and no OTLP; drops unreported. */
export function setupTestTracing(): ProcessTracing {
  const traced = setupTracing(
    {
      tracing: 'on',
      tracingSampleRatio: 1,
      observabilityTracesDb: true,
      observabilityTracesQueueMax: 10_000,
      observabilityTracesFlushMs: 50,
      otelServiceName: undefined,
      otelExporterOtlpEndpoint: undefined,
      otelExporterOtlpTracesEndpoint: undefined,
    },
    'aos-test',
    { report: () => undefined },
  );
  if (!traced) throw new Error('tracing is on');
  return traced;
}
