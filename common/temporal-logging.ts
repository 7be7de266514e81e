/** Bridges the Temporal Core runtime's logs into pino so one stream carries everything. */
import { DefaultLogger, LogLevel, LogMetadata, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/** Installs the Temporal runtime once per process with a logger that forwards to `logger`. */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const temporalLog = logger.child({ component: 'temporal' });
  const level = (logger.level.toUpperCase() === 'SILENT' ? 'ERROR' : logger.level.toUpperCase()) as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level in LEVELS ? level : 'INFO', (entry) => {
      const meta: LogMetadata = entry.meta ?? {};
      temporalLog[LEVELS[entry.level]](meta, entry.message);
    }),
  });
}
