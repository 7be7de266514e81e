/**
 * The Temporal the cluster tier runs against. By default the real multi-service server on PostgreSQL
 * (devstack/temporal-server.ts) with several history shards, on databases named for this run and dropped at
 * stop; `AOS_CLUSTER_TEMPORAL=dev` picks the CLI dev server instead, to debug the scenarios where the server
 * binaries are not built. Either logs under `<logDir>/temporal` (`*.log`).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../devstack/free-port';
import { startTemporalDevServer } from '../../devstack/temporal-dev-server';
import { startTemporalServer } from '../../devstack/temporal-server';
import { ADMIN_URL, dropRunDatabases } from '../helpers/test-database';

/** A running Temporal for the cluster. */
export interface ClusterTemporal {
  kind: 'server' | 'dev';
  address: string;
  namespace: string;
  /** Stops it (and drops the databases it created for this run). */
  stop(): Promise<void>;
}

/** Which Temporal: `AOS_CLUSTER_TEMPORAL` = `server` (default) or `dev`. */
export function clusterTemporalKind(env: NodeJS.ProcessEnv = process.env): 'server' | 'dev' {
  const kind = env.AOS_CLUSTER_TEMPORAL ?? 'server';
  if (kind !== 'server' && kind !== 'dev') throw new Error(`AOS_CLUSTER_TEMPORAL must be server or dev, got ${kind}`);
  return kind;
}

/** Starts the Temporal the environment asks for (see the file comment). */
export async function startClusterTemporal(opts: {
  logDir: string;
  log: (l: string) => void;
}): Promise<ClusterTemporal> {
  const dir = join(opts.logDir, 'temporal');
  mkdirSync(dir, { recursive: true });
  const namespace = 'default';
  if (clusterTemporalKind() === 'dev') {
    const logFile = join(dir, 'dev-server.log');
    const server = await startTemporalDevServer({
      port: await freePort(),
      namespace,
      log: (line) => appendFileSync(logFile, `${line}\n`),
    });
    opts.log(`temporal dev server at ${server.address}`);
    return { kind: 'dev', address: server.address, namespace, stop: () => server.stop() };
  }
  // Names unique to the run: only these two databases (<prefix>, <prefix>_visibility) are ever dropped.
  const databasePrefix = `aos_cluster_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const drop = () => dropRunDatabases(databasePrefix);
  const summaries = join(dir, 'errors.log');
  try {
    const server = await startTemporalServer({
      postgresUrl: ADMIN_URL,
      databasePrefix,
      dataDir: dir,
      historyShards: 4,
      // 4 services x 2 stores x 3: the tier runs beside an integration test file on PostgreSQL's 100 connections.
      maxConns: 3,
      namespace,
      // Its own progress lines to the test's log, the services' error summaries to a file (their full logs are
      // in logs/ beside it): a cluster settling in prints many.
      log: (line) => (line.startsWith('[temporal ') ? appendFileSync(summaries, `${line}\n`) : opts.log(line)),
    });
    return {
      kind: 'server',
      address: server.address,
      namespace: server.namespace,
      async stop() {
        await server.stop();
        await drop();
      },
    };
  } catch (err) {
    await drop();
    throw err;
  }
}
