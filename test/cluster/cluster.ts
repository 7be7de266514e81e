/**
 * The cluster tier's platform (issue #17): a Temporal cluster (test/cluster/temporal-backend.ts), a fresh platform
 * database, and several API and worker processes (`api/main.ts`, `workers/main.ts`) on one task queue, started
 * as production starts them. Every process logs to its own file in one temp dir; `tails()` prints their ends for
 * a failing test. `stop()` stops everything and drops the databases this run created, nothing else.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../devstack/free-port';
import { TEST_ENV } from '../harness-state';
import { TEST_SECRETS } from '../helpers/api';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process';
import { createTestDatabase } from '../helpers/test-database';
import { uniqueTaskQueue } from '../helpers/temporal';
import { WORKER_READY } from '../helpers/worker-process';
import { startClusterTemporal, type ClusterTemporal } from './temporal-backend';

/** An API process and its base URL (`http://127.0.0.1:<port>`). */
export interface ClusterApi {
  process: NodeProcess;
  url: string;
}

/** A running cluster. */
export interface Cluster {
  temporal: ClusterTemporal;
  databaseUrl: string;
  taskQueue: string;
  apis: ClusterApi[];
  workers: NodeProcess[];
  /** Where every process logs (`temporal/**.log`, `api-1.log`, `worker-2.log`, ...) and keeps its data dir. */
  logDir: string;
  /** The last `lines` lines of every log in `logDir`, headed by its file name. */
  tails(lines?: number): string;
  stop(): Promise<void>;
}

/** What to start; `env` is added to every API's and worker's environment. */
export interface ClusterOptions {
  apis?: number;
  workers?: number;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

/** The settings every process shares: the cluster's servers, test secrets, quick retries, no tracing overhead. */
function sharedEnv(
  c: { temporal: ClusterTemporal; databaseUrl: string; taskQueue: string },
  extra: Record<string, string>,
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DATABASE_URL: c.databaseUrl,
    DATABASE_POOL_MAX: '5',
    TEMPORAL_ADDRESS: c.temporal.address,
    TEMPORAL_NAMESPACE: c.temporal.namespace,
    TASK_QUEUE: c.taskQueue,
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    TRACING: 'off',
    OBSERVABILITY_LOGS_DB: 'false',
    OBSERVABILITY_METRICS_ROLLUP_MS: '0',
    EGRESS_ALLOW: '127.0.0.1',
    ...TEST_SECRETS,
    ...extra,
  };
}

/** Starts the cluster; on a failure part-way, what was started is stopped again before the error is thrown. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const logDir = mkdtempSync(join(tmpdir(), 'aos-cluster-'));
  const processes: NodeProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    const stopping = Date.now();
    // Short grace: nothing the scenarios check happens during shutdown.
    await Promise.allSettled(processes.map((p) => p.stop(2_000)));
    for (const c of cleanups.reverse()) await c().catch((err) => log(`cleanup failed: ${String(err)}`));
    log(`cluster stopped and its databases dropped in ${Date.now() - stopping} ms`);
  };
  try {
    const started = Date.now();
    const bundlePath = process.env[TEST_ENV.bundlePath];
    if (!bundlePath)
      throw new Error(
        `${TEST_ENV.bundlePath} is not set: run the cluster tier through jest (test/cluster/global-setup.ts)`,
      );
    const [temporal, database] = await settleAll([
      startClusterTemporal({ logDir, log }).then((t) => (cleanups.push(t.stop), t)),
      // Migrated here, once: API processes starting together then find nothing left to migrate.
      createTestDatabase().then((d) => (cleanups.push(d.drop), d)),
    ]);
    log(`temporal (${temporal.kind}) and database ready in ${Date.now() - started} ms`);
    const c = { temporal, databaseUrl: database.url, taskQueue: uniqueTaskQueue('cluster') };
    const env = sharedEnv(c, {
      WORKFLOW_BUNDLE_PATH: bundlePath,
      TEST_RUNNER: 'false',
      ...opts.env,
    });
    const dataDir = (name: string): string => mkdtempSync(join(logDir, `${name}-data-`));
    const workers = await settleAll(
      Array.from({ length: opts.workers ?? 2 }, (_, i) =>
        startNodeProcess({
          name: `worker-${i + 1}`,
          script: 'workers/main.ts',
          ready: WORKER_READY,
          logFile: join(logDir, `worker-${i + 1}.log`),
          env: { ...env, AOS_DATA_DIR: dataDir(`worker-${i + 1}`) },
          timeoutMs: 120_000,
        }).then((p) => (processes.push(p), p)),
      ),
    );
    const apis = await settleAll(
      Array.from({ length: opts.apis ?? 2 }, async (_, i) => {
        const port = await freePort();
        const p = await startNodeProcess({
          name: `api-${i + 1}`,
          script: 'api/main.ts',
          ready: 'API ready',
          logFile: join(logDir, `api-${i + 1}.log`),
          env: { ...env, API_HOST: '127.0.0.1', API_PORT: String(port), AOS_DATA_DIR: dataDir(`api-${i + 1}`) },
          timeoutMs: 120_000,
        });
        processes.push(p);
        return { process: p, url: `http://127.0.0.1:${port}` };
      }),
    );
    log(`cluster up in ${Date.now() - started} ms (logs in ${logDir})`);
    return {
      ...c,
      apis,
      workers,
      logDir,
      tails: (lines = 40) => tails(logDir, lines),
      stop,
    };
  } catch (err) {
    await stop();
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`the cluster did not start: ${why}\n(logs kept in ${logDir}; their tails:)\n${tails(logDir, 40)}`, {
      cause: err,
    });
  }
}

/**
 * Like Promise.all, but waits for every promise to settle before throwing the first failure: each start registers
 * its own cleanup when it succeeds, so nothing started alongside a failed start is left behind.
 */
async function settleAll<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** The last `n` lines of every `*.log` under `dir` (the processes' and Temporal's), each headed by its path. */
function tails(dir: string, n: number): string {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.log')).sort();
  return files
    .map((f) => {
      const lines = readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').slice(-n);
      return `--- ${f} ---\n${lines.join('\n')}`;
    })
    .join('\n');
}
