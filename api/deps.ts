/** The dependencies the API needs, wired by the entry point and by tests. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  db: Knex;
  temporal: Client;
}
