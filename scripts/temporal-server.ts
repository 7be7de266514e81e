/**
 * `npm run temporal:server`: the real Temporal server (frontend, history, matching and worker services as four
 * processes) on the local PostgreSQL, in the foreground, for running several API and worker processes against one
 * cluster the way production does (docs/deploy.md). Ctrl-C stops all four.
 */
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../common/config';
import { startTemporalServer } from '../devstack/temporal-server';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startTemporalServer({
    postgresUrl: config.temporalServerPostgresUrl,
    databasePrefix: 'temporal',
    dataDir: join(config.dataDir, 'temporal-server'),
    frontendPort: config.temporalServerPort,
    historyShards: config.temporalServerHistoryShards,
    namespace: config.temporalNamespace,
    log: (line) => console.log(line),
  });
  console.log(`
Temporal server ${server.address} is ready (namespace ${server.namespace}, search attributes registered).
Point the platform at it, e.g. two API and two worker processes (each in its own terminal):

  export TEMPORAL_ADDRESS=${server.address} TEMPORAL_NAMESPACE=${server.namespace} DATABASE_URL=postgres://...
  npm run migrate
  API_PORT=3000 npm run start:api
  API_PORT=3001 npm run start:api
  WORKER_METRICS_PORT=9464 npm run start:worker
  WORKER_METRICS_PORT=9465 npm run start:worker

Logs: ${join(config.dataDir, 'temporal-server', 'logs')}. Ctrl-C stops the server.`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the Temporal services...`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A service that dies on its own takes the others down: a half cluster only confuses.
  for (const child of server.processes)
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`A Temporal service exited (${signal ?? `code ${code}`}); stopping the others.`);
      shutdown('exit');
    });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
