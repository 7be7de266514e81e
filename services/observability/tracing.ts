/**
 * OpenTelemetry tracing of one process: a tracer provider registered globally once (AsyncLocalStorage context,
 * W3C trace-context propagation, `service.name` = the process's name, parent-based ratio sampling), whose ended
 * spans go to observability_traces through a bounded {@link BatchWriter} (`traces`) and, when a collector is
 * configured, to OTLP/HTTP through a bounded BatchSpanProcessor. Neither ever blocks or throws into the code that
 * ends a span: what cannot be written promptly is dropped and counted (aos_telemetry_rows_dropped_total).
 *
 * Temporal: {@link temporalClientInterceptors} for every Client, and the worker gets the activity interceptors
 * and the workflow span exporter sink from workers/tracing.ts (this module may not import workers/).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import { insertSpans, type SpanRowInput } from '../../db/repositories/observability';
import { BatchWriter, stderrDropReporter, type BatchWriterStats, type DropReason } from './batch-writer';
import { withTimeout } from './metrics';
import { spanToRow } from './span-rows';

/** The settings tracing reads. */
export type TracingConfig = Pick<
  Config,
  | 'tracing'
  | 'tracingSampleRatio'
  | 'observabilityTracesDb'
  | 'observabilityTracesQueueMax'
  | 'observabilityTracesFlushMs'
  | 'otelServiceName'
  | 'otelExporterOtlpEndpoint'
  | 'otelExporterOtlpTracesEndpoint'
>;

/** A process's tracing: the provider, and what the Temporal worker and the shutdown need of it. */
export interface ProcessTracing {
  readonly provider: NodeTracerProvider;
  readonly resource: Resource;
  /** Every exporter of the process as one processor (for Temporal's workflow span sink). */
  readonly spanProcessor: SpanProcessor;
  /** Starts writing spans to observability_traces through `db` (spans ended before wait in the queue). */
  startDb(db: Knex): void;
  /** The `traces` writer's counters, or undefined when OBSERVABILITY_TRACES_DB is off. */
  stats(): BatchWriterStats | undefined;
  /** Flushes every exporter with a deadline, then unregisters the provider (a later setup starts afresh). */
  shutdown(deadlineMs?: number): Promise<void>;
}

let current: ProcessTracing | undefined;

/** This process's tracing, if set up. */
export function processTracing(): ProcessTracing | undefined {
  return current;
}

/**
 * Sets up and registers tracing for this process (once: later calls return the first setup), or undefined when
 * TRACING=off. `serviceName` is the process's name, overridden by OTEL_SERVICE_NAME.
 */
export function setupTracing(
  config: TracingConfig,
  serviceName: string,
  opts: {
    report?: (reason: DropReason, count: number, err?: unknown) => void;
    /** More processors (tests, the replay recorder: an in-memory exporter). */
    processors?: SpanProcessor[];
  } = {},
): ProcessTracing | undefined {
  if (config.tracing === 'off') return undefined;
  if (current) return current;
  const resource = new Resource({ 'service.name': config.otelServiceName ?? serviceName });
  const processors: SpanProcessor[] = [];
  const db = config.observabilityTracesDb ? new PostgresSpanProcessor(config, opts.report) : undefined;
  if (db) processors.push(db);
  const otlpUrl = config.otelExporterOtlpTracesEndpoint ?? config.otelExporterOtlpEndpoint;
  if (otlpUrl) {
    // The exporter reads OTEL_EXPORTER_OTLP_* itself (headers, timeout, the base URL's /v1/traces suffix).
    const exporter = new OTLPTraceExporter(
      config.otelExporterOtlpTracesEndpoint ? { url: config.otelExporterOtlpTracesEndpoint } : {},
    );
    processors.push(new BatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512 }));
  }
  processors.push(...(opts.processors ?? []));
  const ratio = config.tracingSampleRatio;
  const provider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({
      root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio),
    }),
    spanLimits: { attributeCountLimit: 128, attributeValueLengthLimit: 4096, eventCountLimit: 64 },
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const all = new FanOutProcessor(processors);
  current = {
    provider,
    resource,
    spanProcessor: all,
    startDb: (knex) => db?.start(knex),
    stats: () => db?.stats(),
    async shutdown(deadlineMs = 2000) {
      if (current !== this) return;
      current = undefined;
      await withTimeout(provider.forceFlush(), deadlineMs).catch(() => undefined);
      await db?.close(deadlineMs);
      await withTimeout(provider.shutdown(), deadlineMs).catch(() => undefined);
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  return current;
}

/** The client interceptors that carry the active trace context into the workflows a Client starts or signals. */
export function temporalClientInterceptors(): { workflow: WorkflowClientInterceptor[] } {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * Offers each ended span, as a row, to a bounded `traces` writer: onEnd never waits and never throws; the
 * writer drops and counts what the database cannot take promptly.
 */
export class PostgresSpanProcessor implements SpanProcessor {
  private readonly writer: BatchWriter<SpanRowInput>;

  constructor(
    config: Pick<TracingConfig, 'observabilityTracesQueueMax' | 'observabilityTracesFlushMs'>,
    report: (reason: DropReason, count: number, err?: unknown) => void = stderrDropReporter(
      'observability trace exporter dropped spans',
    ),
  ) {
    this.writer = new BatchWriter<SpanRowInput>({
      name: 'traces',
      capacity: config.observabilityTracesQueueMax,
      intervalMs: config.observabilityTracesFlushMs,
      onDrop: report,
    });
  }

  /** Starts writing through `db`. */
  start(db: Knex): void {
    this.writer.start((rows) => insertSpans(db, rows));
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    try {
      this.writer.offer(spanToRow(span));
    } catch {
      // A span that cannot be mapped is not worth failing the code that ended it.
    }
  }

  forceFlush(): Promise<void> {
    return this.writer.flush();
  }

  shutdown(): Promise<void> {
    return this.writer.close();
  }

  /** Flushes with a deadline and stops (later spans are dropped, `closed`). */
  close(deadlineMs?: number): Promise<void> {
    return this.writer.close(deadlineMs);
  }

  /** The writer's counters. */
  stats(): BatchWriterStats {
    return this.writer.stats();
  }
}

/** Hands every span to each processor (Temporal's workflow span sink takes one). */
class FanOutProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}
  onStart(span: Span, parent: Parameters<SpanProcessor['onStart']>[1]): void {
    for (const p of this.processors) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) {
      try {
        p.onEnd(span);
      } catch {
        // One exporter's failure must not reach the workflow sink or starve the others.
      }
    }
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}
