/**
 * Structured logging: pino JSON to stdout, pretty-printed in a terminal, and optionally to extra in-process
 * destinations (the observability_logs sink) at their own levels.
 */
import pino, { Logger, type Level, type StreamEntry } from 'pino';
import PinoPretty from 'pino-pretty';
import { activeTraceIds } from './telemetry';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  name?: string;
  /**
   * Extra destinations, each with its lowest level, fed the same serialised (redacted) lines in this process.
   * The logger's own level becomes the lowest of all, so stdout keeps `level` while a sink may take more.
   */
  sinks?: ReadonlyArray<{ level: string; stream: { write(line: string): void } }>;
}

const ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Creates the root logger; children carry request, workflow and step ids. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const sinks = opts.sinks ?? [];
  const options: pino.LoggerOptions = {
    name: opts.name ?? 'aos',
    level,
    // Every line logged inside a span carries its trace and span ids (the log sink maps them to columns).
    mixin: () => activeTraceIds() ?? {},
    // Defence in depth: the API never logs bodies or credential columns, but a stray object must not leak them.
    redact: {
      paths: [
        '*.password',
        '*.password_hash',
        '*.credentials',
        '*.secret',
        '*.token',
        '*.access_token',
        '*.refresh_token',
        '*.key_hash',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        '*.headers.authorization',
        '*.headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
  };
  const prettyOptions = { colorize: true, translateTime: 'SYS:HH:MM:ss.l' };
  if (sinks.length === 0)
    return pino({ ...options, ...(opts.pretty && { transport: { target: 'pino-pretty', options: prettyOptions } }) });
  // With sinks, stdout is one stream of a multistream (pretty-printed in-process: no transport thread).
  const streams: StreamEntry[] = [];
  if (level !== 'silent')
    streams.push({ level: level as Level, stream: opts.pretty ? PinoPretty(prettyOptions) : pino.destination(1) });
  for (const sink of sinks) streams.push({ level: sink.level as Level, stream: sink.stream });
  const lowest = [level, ...sinks.map((s) => s.level)].reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
  return pino({ ...options, level: lowest }, pino.multistream(streams));
}
