/** Liveness and readiness probes. */
import { checkReadiness } from '../../services/health';
import { defineRoute, type RouteDefinition } from '../http/route';

const checkSchema = { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object' } } };

/** `/healthz` answers while the process runs; `/readyz` checks Temporal and PostgreSQL. */
export const healthRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    summary: 'Liveness probe',
    tags: ['operations'],
    permission: 'public',
    responses: { 200: { description: 'The process is alive', schema: checkSchema } },
    handler: async () => ({ body: { status: 'ok' } }),
  }),
  defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: Temporal and PostgreSQL reachable',
    tags: ['operations'],
    permission: 'public',
    responses: {
      200: { description: 'Ready', schema: checkSchema },
      503: { description: 'A dependency is unreachable', schema: checkSchema },
    },
    handler: async ({ deps }) => {
      const { ok, postgres, temporal } = await checkReadiness(deps);
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks: { postgres, temporal } } };
    },
  }),
];
