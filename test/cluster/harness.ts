/**
 * What the cluster scenarios share: the cluster, an all-permissions caller, HTTP agents on every API process
 * (taken in turn, so consecutive calls land on different processes), a database and a Temporal client to check
 * what the platform did, and deadline-based polls that say what they waited for.
 */
import { Client, Connection } from '@temporalio/client';
import { connectTemporal } from '../../common/temporal-connection';
import type { Knex } from 'knex';
import request from 'supertest';
import { createDb } from '../../db/connection';
import { testConfig } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';
import { startCluster, type Cluster, type ClusterOptions } from './cluster';

/** A supertest agent on one API process, sending the caller's API key. */
export type ApiAgent = ReturnType<typeof request.agent>;

/** The scenarios' view of a running cluster. */
export interface ClusterHarness {
  cluster: Cluster;
  db: Knex;
  temporal: Client;
  /** One agent per API process. */
  apis: ApiAgent[];
  /** The next API process's agent (round robin). */
  api(): ApiAgent;
  close(): Promise<void>;
}

/** Starts the cluster and connects to it. */
export async function startClusterHarness(opts: ClusterOptions = {}): Promise<ClusterHarness> {
  const cluster = await startCluster(opts);
  let db: Knex | undefined;
  let connection: Connection | undefined;
  try {
    db = createDb({ url: cluster.databaseUrl, poolMax: 4 });
    connection = await connectTemporal({ address: cluster.temporal.address });
    const temporal = new Client({ connection, namespace: cluster.temporal.namespace });
    const caller = await createTestCaller({ db, config: testConfig() }, ['*'], 'cluster');
    const apis = cluster.apis.map((a) => request.agent(a.url).set(caller.keyHeader));
    let next = 0;
    const conn = connection;
    const knex = db;
    return {
      cluster,
      db,
      temporal,
      apis,
      api: () => apis[next++ % apis.length],
      async close() {
        await conn.close();
        await knex.destroy();
        await cluster.stop();
      },
    };
  } catch (err) {
    await connection?.close();
    await db?.destroy();
    await cluster.stop();
    throw err;
  }
}

/**
 * Polls `fn` every `everyMs` until it returns a truthy value; past `timeoutMs` fails naming `what` and showing
 * the last value `describe` gives (what was seen instead).
 */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; everyMs?: number; describe?: () => Promise<unknown> } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      const seen = opts.describe ? `; last seen: ${JSON.stringify(await opts.describe().catch(String))}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 200));
  }
}
