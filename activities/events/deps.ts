/** Dependencies of the event activities. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';

/** `temporal` is needed by routing (signals, starts, cancels) and lets `emitEvent` hand off at once. */
export interface EventActivityDeps {
  db: Knex;
  logger: Logger;
  temporal: Client;
  config: Config;
}
