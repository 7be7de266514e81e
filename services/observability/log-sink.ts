/**
 * The log sink: a pino destination (in the logging process, no transport thread) that maps each serialised line
 * (redaction already applied) to an observability_logs row and offers it to a {@link BatchWriter}. Lines are
 * queued from the logger's creation and written once {@link LogSink.start} gets the database. The sink reports
 * its own drops on stderr, rate-limited, never through the logger it serves (no loop).
 */
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import { insertLogs, type LogRowInput } from '../../db/repositories/observability';
import { BatchWriter, stderrDropReporter, type BatchWriterStats, type DropReason } from './batch-writer';

/** pino's numeric levels. */
const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields of a pino line that become columns or are pino's own (the rest go to `attributes`). */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);
/** Id fields the platform's lines carry -> column, first match wins. */
const ID_FIELDS: ReadonlyArray<readonly [keyof LogRowInput, readonly string[], number]> = [
  ['request_id', ['requestId', 'request_id', 'reqId'], 255],
  ['temporal_workflow_id', ['workflowId', 'temporal_workflow_id', 'temporalWorkflowId'], 255],
  ['workflow_instance_id', ['workflowInstanceId', 'workflow_instance_id', 'instanceId'], 36],
  ['step_id', ['stepId', 'step_id'], 255],
  ['trace_id', ['traceId', 'trace_id'], 64],
  ['span_id', ['spanId', 'span_id'], 32],
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest stored message; longer ones are cut (the line keeps its start). */
const MAX_MESSAGE = 16_384;

/** Maps one serialised pino line to a row, or undefined when it is not a JSON object. */
export function logLineToRow(line: string): LogRowInput | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object') return undefined;
  const str = (v: unknown, max: number): string | null =>
    typeof v === 'string' && v.length > 0 ? v.slice(0, max) : typeof v === 'number' ? String(v) : null;
  const row: LogRowInput = {
    timestamp: new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString(),
    level: typeof o.level === 'number' ? (LEVEL_NAMES[o.level] ?? 'info') : String(o.level ?? 'info').slice(0, 16),
    message: (typeof o.msg === 'string' ? o.msg : o.msg === undefined ? '' : JSON.stringify(o.msg)).slice(
      0,
      MAX_MESSAGE,
    ),
    service: str(o.name, 100),
    request_id: null,
    temporal_workflow_id: null,
    workflow_instance_id: null,
    step_id: null,
    trace_id: null,
    span_id: null,
    attributes: {},
  };
  const used = new Set<string>();
  for (const [column, keys, max] of ID_FIELDS) {
    for (const key of keys) {
      const value = str(o[key], max);
      // Only a uuid fits workflow_instance_id; anything else stays an attribute.
      if (value === null || (column === 'workflow_instance_id' && !UUID.test(value))) continue;
      (row as unknown as Record<string, unknown>)[column] = value;
      used.add(key);
      break;
    }
  }
  for (const [key, value] of Object.entries(o)) if (!OWN_FIELDS.has(key) && !used.has(key)) row.attributes[key] = value;
  return row;
}

/** Options of {@link createLogSink}. */
export interface LogSinkOptions {
  /** Lowest pino level name written. */
  level: string;
  capacity?: number;
  batchSize?: number;
  intervalMs?: number;
  writeTimeoutMs?: number;
  /** Where drops are reported (default: a JSON line on stderr, at most once a minute per reason). */
  report?: (reason: DropReason, count: number, err?: unknown) => void;
}

/** A log sink: `destination` goes to the logger, `start` and `close` to the process's lifecycle. */
export interface LogSink {
  /** The pino stream entry: `{ level, stream }` for `pino.multistream`. */
  readonly destination: { level: string; stream: { write(line: string): void } };
  /** Starts writing to observability_logs through `db` (lines logged before wait in the bounded queue). */
  start(db: Knex): void;
  /** Writes what is queued and waits for it, at most `deadlineMs` (the benchmarks charge it to their on rows). */
  flush(deadlineMs?: number): Promise<void>;
  /** Flushes with a deadline and stops; later lines are dropped (`closed`). */
  close(deadlineMs?: number): Promise<void>;
  /** The writer's counters (offered, written, dropped by reason, queued). */
  stats(): BatchWriterStats;
}

/** Creates a log sink; see the module comment. */
export function createLogSink(opts: LogSinkOptions): LogSink {
  const writer = new BatchWriter<LogRowInput>({
    name: 'logs',
    capacity: opts.capacity,
    batchSize: opts.batchSize,
    intervalMs: opts.intervalMs,
    writeTimeoutMs: opts.writeTimeoutMs,
    onDrop: opts.report ?? stderrDropReporter('observability log sink dropped lines'),
  });
  return {
    destination: {
      level: opts.level,
      stream: {
        write(line: string) {
          const row = logLineToRow(line);
          if (row) writer.offer(row);
        },
      },
    },
    start: (db) => writer.start((rows) => insertLogs(db, rows)),
    flush: (deadlineMs) => writer.flush(deadlineMs),
    close: (deadlineMs) => writer.close(deadlineMs),
    stats: () => writer.stats(),
  };
}

/** The sink of a process's config, or undefined when OBSERVABILITY_LOGS_DB is off. */
export function logSinkFromConfig(
  config: Pick<
    Config,
    'observabilityLogsDb' | 'observabilityLogsLevel' | 'observabilityLogsQueueMax' | 'observabilityLogsFlushMs'
  >,
): LogSink | undefined {
  if (!config.observabilityLogsDb) return undefined;
  return createLogSink({
    level: config.observabilityLogsLevel,
    capacity: config.observabilityLogsQueueMax,
    intervalMs: config.observabilityLogsFlushMs,
  });
}
