/** Starting a run over REST: `POST /workflow-definitions/:workflowId/runs` and `POST /workflow-instances` share this. */
import { Type, type Static } from '@sinclair/typebox';
import { getRunRow, startRun } from '../../services/runs';
import { actorOf, principalOf } from '../auth/principal';
import { defineRoute, type RouteContext, type RouteDefinition, type RouteResult } from '../http/route';
import { idParams, problem } from './engine-schemas';
import { workflowInstanceItem, workflowInstanceView } from './workflow-instance-views';

/** Body of a start request (besides the definition id). */
export const startRunBody = Type.Object(
  {
    input: Type.Optional(Type.Unknown({ description: "Run input; validated against the definition's input_schema" })),
    version: Type.Optional(
      Type.String({ maxLength: 50, description: 'Pin a version; default the highest active one' }),
    ),
    business_key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'Idempotency key: a second start with it answers the same run',
      }),
    ),
    correlation_key: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/**
 * Starts the run and answers 201 (started), 202 (queued behind the definition's concurrency limit) or 200 (an
 * existing run answered), with the run's view. A full limit with `when_full: reject` is a 409.
 */
export async function startRunHandler(
  { deps, body, res }: RouteContext<unknown, unknown, Static<typeof startRunBody>>,
  workflowId: string,
): Promise<RouteResult> {
  const b = (body ?? {}) as { input?: unknown; version?: string; business_key?: string; correlation_key?: string };
  const result = await startRun(deps, {
    workflowId,
    version: b.version,
    input: b.input ?? {},
    businessKey: b.business_key,
    correlationKey: b.correlation_key,
    trigger: { kind: 'api' },
    startedBy: principalOf(res).username,
    actor: actorOf(res),
    inputPointer: '/body/input',
  });
  const row = await getRunRow(deps, result.instanceId);
  return {
    status: result.started ? 201 : result.outcome === 'queued' ? 202 : 200,
    body: workflowInstanceView(deps.config, row),
    headers: { Location: `/api/v1/workflow-instances/${row.id}` },
  };
}

/** `POST /workflow-definitions/:workflowId/runs`. */
export const workflowRunRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/workflow-definitions/:workflowId/runs',
    operationId: 'startWorkflowRun',
    summary:
      'Start a run of a definition (201), queue it behind its concurrency limit (202), or answer the existing run for a duplicate business key (200)',
    tags: ['workflow-instances'],
    permission: 'workflow_instances:start',
    params: idParams('workflowId'),
    body: startRunBody,
    responses: {
      200: { description: 'An existing run answered', schema: workflowInstanceItem },
      201: { description: 'Started', schema: workflowInstanceItem },
      202: {
        description: "Queued: the definition's concurrency limit is reached (status queued)",
        schema: workflowInstanceItem,
      },
      404: problem,
      409: problem,
      422: problem,
    },
    handler: async (ctx) => startRunHandler(ctx, ctx.params.workflowId),
  }),
];
