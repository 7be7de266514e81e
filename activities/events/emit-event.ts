/** `emitEvent`: an `emit_event` step publishes through the same ingest path as `POST /events`. */
import type { EmitEventRequest } from '../../common/definitions/activity-types';
import { config as loadConfig } from '../../common/config';
import { AppError, FailureType } from '../../common/errors';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';
import { publishEvent } from '../../services/events';
import { nonRetryable } from '../tasks/failures';
import type { EventActivityDeps } from './deps';

/** Builds the activity. The event id comes from the workflow (seeded uuid), so a retry is answered idempotently. */
export function createEmitEventActivity(deps: EventActivityDeps) {
  return {
    async emitEvent(req: EmitEventRequest): Promise<{ eventId: string }> {
      const { ctx } = req;
      if (req.payload === null || typeof req.payload !== 'object' || Array.isArray(req.payload)) {
        throw nonRetryable(FailureType.SchemaViolation, `emit_event "${req.pattern}": payload must be an object`);
      }
      // causationId: the event that started this run, when an event did.
      const run = (await deps.db(WORKFLOW_INSTANCES).where({ id: ctx.instanceId }).first('trigger')) as { trigger: { eventId?: string } | null } | undefined;
      const causationId = run?.trigger?.eventId;
      try {
        const { event } = await publishEvent({ db: deps.db, temporal: deps.temporal!, config: deps.config ?? loadConfig(), logger: deps.logger, handoff: Boolean(deps.temporal) }, {
          eventId: req.eventId,
          pattern: req.pattern,
          payload: req.payload as Record<string, unknown>,
          source: { type: 'workflow', id: ctx.workflowId, name: `${ctx.definitionId}@${ctx.definitionVersion}#${ctx.stepId}` },
          metadata: {
            ...(ctx.correlationKey !== undefined && { correlationId: ctx.correlationKey }),
            ...(causationId && { causationId }),
            context: { type: 'global', id: ctx.instanceId },
            tags: { workflowId: ctx.workflowId, stepId: ctx.stepId },
          },
        }, '/event');
        return { eventId: event.eventId };
      } catch (err) {
        if (err instanceof AppError && err.status < 500) {
          const type = err.status === 422 && err.errors.some((e) => e.pointer.endsWith('/pattern')) ? FailureType.NotFound : FailureType.SchemaViolation;
          throw nonRetryable(type, `emit_event "${req.pattern}": ${err.message}`, { errors: err.errors });
        }
        throw err;
      }
    },
  };
}
