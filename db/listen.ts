/**
 * PostgreSQL LISTEN/NOTIFY between processes on one database. A listener holds one dedicated connection (a `pg`
 * Client of its own, not from the knex pool: a pooled connection would be handed to queries and its LISTEN
 * lost), and re-establishes it with backoff whenever it drops. Notifications sent while it was down are lost, so
 * callers hear about every loss (`onLost`) and every (re)start (`onListening`) and resynchronise there.
 */
import type { Knex } from 'knex';
import { Client, type ClientConfig } from 'pg';
import type { Logger } from '../common/logger';
import type { Db } from './repositories/sql';

/** Sends `payload` on `channel`; inside a transaction it is delivered when (and only if) the transaction commits. */
export async function notify(db: Db, channel: string, payload = ''): Promise<void> {
  await db.raw('SELECT pg_notify(?, ?)', [channel, payload]);
}

/** Options of {@link listen}. */
export interface ListenOptions {
  /** The knex whose connection settings the listener's own connection uses. */
  db: Knex;
  channel: string;
  logger: Logger;
  onNotify(payload: string): void;
  /** The connection dropped (or could not be made): notifications may have been missed. */
  onLost?(): void;
  /** LISTEN is in effect again (first start or after a loss). */
  onListening?(): void;
  /** Waits between reconnect attempts (ms), the last one repeated [250 ms doubling to 10 s]. */
  backoffMs?: readonly number[];
}

/** A running listener. */
export interface Listener {
  /** True while LISTEN is in effect on a live connection. */
  readonly listening: boolean;
  /** Resolves when the listener is (next) listening. */
  whenListening(): Promise<void>;
  /** Stops reconnecting and closes the connection. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

// The pool's settings (a URL or an object), with a connect timeout and TCP keepalive so a dead peer is noticed.
// Named after the channel in pg_stat_activity, so an operator can tell the listener from pooled connections.
function clientConfig(db: Knex, channel: string): ClientConfig {
  const conn = (db.client as { config: Knex.Config }).config.connection;
  if (typeof conn === 'function') throw new Error('listen: a knex connection given as a function is not supported');
  const base: ClientConfig = typeof conn === 'string' ? { connectionString: conn } : { ...(conn as ClientConfig) };
  return {
    ...base,
    application_name: `listen:${channel}`.slice(0, 63),
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Starts listening on `channel`; the first connection is made in the background. */
export function listen(opts: ListenOptions): Listener {
  const config = clientConfig(opts.db, opts.channel);
  const backoff = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  let current: Client | undefined;
  let listening = false;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];

  const lost = (client: Client, err?: unknown) => {
    if (client !== current) return;
    current = undefined;
    const was = listening;
    listening = false;
    client.end().catch(() => undefined);
    if (stopped) return;
    if (was) opts.logger.warn({ err, channel: opts.channel }, 'LISTEN connection lost; reconnecting');
    opts.onLost?.();
    schedule();
  };

  const schedule = () => {
    const wait = backoff[Math.min(failures, backoff.length - 1)] ?? 1_000;
    failures++;
    timer = setTimeout(() => void connect(), wait);
    timer.unref();
  };

  const connect = async () => {
    if (stopped) return;
    const client = new Client(config);
    current = client;
    client.on('notification', (m) => {
      if (m.channel === opts.channel) opts.onNotify(m.payload ?? '');
    });
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(opts.channel)}`);
    } catch (err) {
      if (failures === 0) opts.logger.warn({ err, channel: opts.channel }, 'LISTEN failed; retrying');
      lost(client, err);
      return;
    }
    if (stopped || client !== current) {
      await client.end().catch(() => undefined); // stop() ran while this connection was being made
      return;
    }
    listening = true;
    failures = 0;
    opts.onListening?.();
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    whenListening: () => (listening ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      const client = current;
      current = undefined;
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };
}
