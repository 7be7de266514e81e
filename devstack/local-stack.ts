/**
 * The servers `npm start` needs and does not find configured: a Temporal CLI dev server when
 * TEMPORAL_ADDRESS is unset, an embedded PGlite when DATABASE_URL is unset. Data lives under AOS_DATA_DIR.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ensureTemporalCli } from './temporal-cli';
import { startTemporalDevServer } from './temporal-dev-server';

/** Where the platform's dependencies are, whether started here or configured. */
export interface LocalStack {
  databaseUrl: string;
  temporalAddress: string;
  /** Web UI URL when the dev server was started here. */
  temporalUiUrl?: string;
  /** Stops what this stack started, in reverse order. */
  stop(): Promise<void>;
}

/** Starts the missing dependencies; configured ones are used as they are. */
export async function startLocalStack(config: Config, logger: Logger): Promise<LocalStack> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err) => logger.warn({ err }, 'stop failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pglite'), port: config.embeddedPgPort });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      logger.info({ dataDir: join(dataDir, 'pglite'), url: pg.url }, 'embedded PostgreSQL (PGlite) started');
    }
    let temporalAddress = config.temporalAddress;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const devLog = logger.child({ component: 'temporal-dev-server' });
      ensureTemporalCli((msg) => logger.info(msg));
      const server = await startTemporalDevServer({
        port: config.temporalDevPort,
        uiPort: config.temporalUiPort,
        dbFile: join(dataDir, 'temporal.sqlite'),
        namespace: config.temporalNamespace,
        // The dev server runs at --log-level warn and is chatty about polls during start and stop.
        log: (line) => (line.includes('level=ERROR') ? devLog.error(line) : devLog.debug(line)),
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
      logger.info({ address: server.address, ui: server.uiUrl }, 'Temporal dev server started');
    }
    return { databaseUrl, temporalAddress, temporalUiUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
