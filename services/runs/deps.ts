/** What the run services need. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';

/** Dependencies of startRun, cancelRun, terminateRun and queryRunState. */
export interface RunDeps {
  db: Knex;
  temporal: Client;
  /** `temporalPayloadLimitBytes` is optional for callers that build a partial config: 2 MiB then. */
  config: Pick<Config, 'taskQueue' | 'temporalNamespace' | 'temporalUiUrl'> &
    Partial<Pick<Config, 'temporalPayloadLimitBytes'>>;
}
