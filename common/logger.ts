/** Structured logging: pino JSON to stdout, pretty-printed in a terminal. */
import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  name?: string;
}

/** Creates the root logger; children carry request, workflow and step ids. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino({
    name: opts.name ?? 'aos',
    level: opts.level ?? 'info',
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
    ...(opts.pretty && {
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    }),
  });
}
