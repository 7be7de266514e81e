/** Bridges the Temporal Core runtime's logs into pino so one stream carries everything. */
import { DefaultLogger, LogLevel, LogMetadata, Runtime } from '@temporalio/worker';
import { freePort } from '../devstack/free-port';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/**
 * The SDK exporter's bind address from TEMPORAL_METRICS_ADDRESS: `off` = none, `auto` = a free loopback port
 * (only this process's `/metrics` reads it, so several processes on one host never collide), else as given.
 */
export async function resolveTemporalMetricsAddress(setting: string): Promise<string | undefined> {
  if (setting === 'off') return undefined;
  if (setting !== 'auto') return setting;
  return `127.0.0.1:${await freePort()}`;
}

/** Options of {@link installTemporalRuntime}. */
export interface TemporalRuntimeOptions {
  /**
   * host:port the Core runtime's Prometheus exporter binds (its SDK metrics: workflow/activity task latencies,
   * slots, polls, ...), merged into the process's `/metrics`; absent or `off` = no exporter.
   */
  metricsAddress?: string;
}

/**
 * Installs the Temporal runtime once per process with a logger that forwards to `logger` and, when asked, the
 * SDK's Prometheus exporter (counters with the `_total` suffix, durations in seconds, like the platform's own).
 */
export function installTemporalRuntime(logger: Logger, opts: TemporalRuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  const temporalLog = logger.child({ component: 'temporal' });
  const level = (logger.level.toUpperCase() === 'SILENT' ? 'ERROR' : logger.level.toUpperCase()) as LogLevel;
  const bindAddress = opts.metricsAddress && opts.metricsAddress !== 'off' ? opts.metricsAddress : undefined;
  Runtime.install({
    ...(bindAddress && {
      telemetryOptions: {
        metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } },
      },
    }),
    logger: new DefaultLogger(level in LEVELS ? level : 'INFO', (entry) => {
      const meta: LogMetadata = entry.meta ?? {};
      temporalLog[LEVELS[entry.level]](meta, entry.message);
    }),
  });
}
