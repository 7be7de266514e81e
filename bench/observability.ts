/**
 * Observability for the benchmarks' "observability on" rows, switched on and off per measured batch in one
 * process, so the on rows and the off rows share the same servers, database and interleaved rounds.
 *
 * On: the production tracing (`setupTracing`: provider registered globally, parent-based sampling at
 * TRACING_SAMPLE_RATIO, spans to observability_traces through the bounded `traces` writer, OTLP too when
 * configured), Temporal's activity interceptors and workflow span sink (as workers/tracing.ts wires them), and
 * the log sink at OBSERVABILITY_LOGS_LEVEL (default info) into observability_logs. Settings come from the
 * environment like a production process's (loadConfig), except that TRACING and the two database exporters are
 * forced on.
 *
 * Off: what a process with TRACING=off and OBSERVABILITY_LOGS_DB=false does: no global provider (the
 * OpenTelemetry API hands out no-op tracers), no context manager, no propagator; the gated activity interceptors
 * are not installed for activities that start while off, the workflow sink discards, and the logger is at the
 * stdout level (warn in the benchmarks), so info lines are not even serialised.
 *
 * `settle()` flushes the span and log writers; the benchmarks call it at the end of each on batch, inside the
 * batch's time and CPU, so the on row pays for writing its own rows (not the off row that happens to run while
 * the writers' timers fire).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { loadConfig } from '../common/config';
import { createLogger, type Logger } from '../common/logger';
import { createLogSink, type LogSink } from '../services/observability/log-sink';
import { setupTracing, type ProcessTracing } from '../services/observability/tracing';

/** Rows offered to the database exporters so far, and of them written and dropped (spans, log lines). */
export interface ObservabilityCounts {
  spans: number;
  spansWritten: number;
  logs: number;
  logsWritten: number;
  dropped: number;
}

/** The switchable observability of a benchmark process. */
export interface BenchObservability {
  readonly tracing: ProcessTracing;
  /** A logger: stdout at `stdoutLevel`, the log sink at OBSERVABILITY_LOGS_LEVEL while on. */
  readonly logger: Logger;
  readonly isOn: () => boolean;
  on(): void;
  off(): void;
  /** Flushes the span and log writers (the on batch's own rows). */
  settle(): Promise<void>;
  counts(): ObservabilityCounts;
  /** Worker options whose activity interceptors and workflow span sink follow on/off. */
  gatedWorkerOptions(): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  close(): Promise<void>;
}

/** Sets up tracing and the log sink into `db`, initially off. */
export function setupBenchObservability(db: Knex, serviceName: string, stdoutLevel = 'warn'): BenchObservability {
  const config = { ...loadConfig(), tracing: 'on' as const, observabilityTracesDb: true };
  const tracing = setupTracing(config, serviceName);
  if (!tracing) throw new Error('tracing did not start');
  tracing.startDb(db);
  const sink: LogSink = createLogSink({
    level: config.observabilityLogsLevel,
    capacity: config.observabilityLogsQueueMax,
    intervalMs: config.observabilityLogsFlushMs,
  });
  sink.start(db);
  let on = true;
  // The sink takes lines only while on (with stdout at info, the off rows serialise their lines for stdout alone).
  const gatedSink = {
    level: sink.destination.level,
    stream: { write: (line: string) => void (on && sink.destination.stream.write(line)) },
  };
  const logger = createLogger({ level: stdoutLevel, name: serviceName, sinks: [gatedSink] });
  const lowest = logger.level;
  const obs: BenchObservability = {
    tracing,
    logger,
    isOn: () => on,
    on() {
      if (on) return;
      tracing.provider.register({ propagator: new W3CTraceContextPropagator() });
      logger.level = lowest;
      on = true;
    },
    off() {
      if (!on) return;
      trace.disable();
      context.disable();
      propagation.disable();
      logger.level = stdoutLevel;
      on = false;
    },
    async settle() {
      await Promise.all([tracing.provider.forceFlush(), sink.flush()]);
    },
    counts() {
      const t = tracing.stats();
      const l = sink.stats();
      const dropped = (d?: Record<string, number>) => Object.values(d ?? {}).reduce((a, b) => a + b, 0);
      return {
        spans: t?.offered ?? 0,
        spansWritten: t?.written ?? 0,
        logs: l.offered,
        logsWritten: l.written,
        dropped: dropped(t?.dropped) + dropped(l.dropped),
      };
    },
    gatedWorkerOptions() {
      const gated = new GatedProcessor(tracing.spanProcessor, () => on);
      return {
        interceptors: {
          activity: [
            (ctx) =>
              on
                ? {
                    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
                  }
                : {},
          ],
        },
        sinks: { exporter: makeWorkflowExporter(gated, tracing.resource) } as InjectedSinks<{
          exporter: { export(spans: unknown[]): void };
        }>,
      };
    },
    async close() {
      obs.on();
      await tracing.shutdown(5000);
      await sink.close(5000);
    },
  };
  obs.off();
  return obs;
}

/** Passes spans on only while observability is on (the workflow sink of a worker shared by on and off rows). */
class GatedProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly isOn: () => boolean,
  ) {}
  onStart(span: Span, parent: Parameters<SpanProcessor['onStart']>[1]): void {
    if (this.isOn()) this.inner.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    if (this.isOn()) this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
