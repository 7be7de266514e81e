/** Knex CLI configuration (`npx knex --knexfile db/knexfile.ts ...`); the app itself uses db/connection.ts. */
import type { Knex } from 'knex';
import { migrationSource } from './migrate';

const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/aos',
  migrations: { migrationSource },
};

export default config;
