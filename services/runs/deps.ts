/** What the run services need. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';

/** Dependencies of startRun, cancelRun, terminateRun and queryRunState. */
export interface RunDeps {
  db: Knex;
  temporal: Client;
  config: Pick<Config, 'taskQueue' | 'temporalNamespace' | 'temporalUiUrl'>;
}
