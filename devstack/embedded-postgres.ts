/**
 * The embedded PostgreSQL of the quick start: PGlite (Postgres compiled to WASM) with its data in a
 * local folder, served over the Postgres wire protocol so knex/pg connect to it like to any server.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Data folder; omit for an in-memory database (tests). */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Concurrent client connections the multiplexer accepts (PGlite itself runs one query at a time). */
  maxConnections?: number;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite with the extensions the migrations need and serves it on 127.0.0.1. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: opts.dataDir, extensions: { ltree, pg_trgm, pgcrypto, uuid_ossp } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: opts.port,
    maxConnections: opts.maxConnections ?? 32,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`Embedded PostgreSQL: port ${opts.port} is in use; set EMBEDDED_PG_PORT or DATABASE_URL`);
    throw err;
  }
  const [, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
