/** `resolveDefinition` activity: the snapshot of a stored definition (sub_workflow steps resolve their child with it). */
import type { Knex } from 'knex';
import type {
  DefinitionActivities,
  ResolveDefinitionRequest,
  ResolvedDefinition,
} from '../../common/contracts/definitions';
import { AppError, FailureType } from '../../common/errors';
import { resolveDefinition } from '../../services/definitions';
import { fromAppError } from '../../common/errors/failures';

/** Builds the activity over a knex. */
export function createDefinitionActivities({ db }: { db: Knex }) {
  return {
    async resolveDefinition(req: ResolveDefinitionRequest): Promise<ResolvedDefinition> {
      try {
        const { definition, tasks, definitionRowId } = await resolveDefinition(db, req.workflow_id, req.version);
        return { definition, tasks, definitionRowId };
      } catch (err) {
        // Missing, draft-only or unresolvable definitions will not appear by retrying: NotFound, non-retryable.
        if (err instanceof AppError && err.status < 500) {
          const detail = err.errors.length ? `: ${err.errors.map((e) => e.message).join('; ')}` : '';
          throw fromAppError(err, `${err.message}${detail}`, FailureType.NotFound);
        }
        throw err;
      }
    },
  } satisfies DefinitionActivities;
}
