/**
 * The human_task step's activities (contract: common/contracts/human-tasks.ts): thin adapters over
 * services/human-tasks/runtime.ts. The interpreter retries them without an attempt limit (engine profile), so
 * only an outage stays retryable (withEngineFailures); a missing form fails the step with `FormNotFound`.
 */
import type { Knex } from 'knex';
import type { HumanTaskActivities } from '../../common/contracts/human-tasks';
import { openHumanTask, recordHumanTask } from '../../services/human-tasks/runtime';
import { withEngineFailures } from '../engine-failures';

/** Builds the activities over a knex. */
export function createHumanTaskActivities({ db }: { db: Knex }): HumanTaskActivities {
  return withEngineFailures({
    openHumanTask: (req) => openHumanTask(db, req),
    recordHumanTask: (change) => recordHumanTask(db, change),
  } satisfies HumanTaskActivities);
}
