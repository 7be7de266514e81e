/** Liveness and readiness probes. */
import { defineRoute, type RouteDefinition } from '../http/route';

const checkSchema = { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object' } } };

async function probe(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string; latencyMs: number }> {
  const started = Date.now();
  try {
    await fn();
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    return { ok: false, error: (err as Error).message, latencyMs: Date.now() - started };
  }
}

/** `/healthz` answers while the process runs; `/readyz` checks Temporal and PostgreSQL. */
export const healthRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/healthz', operationId: 'liveness', summary: 'Liveness probe', tags: ['operations'], permission: 'public',
    responses: { 200: { description: 'The process is alive', schema: checkSchema } },
    handler: async () => ({ body: { status: 'ok' } }),
  }),
  defineRoute({
    method: 'get', path: '/readyz', operationId: 'readiness', summary: 'Readiness: Temporal and PostgreSQL reachable', tags: ['operations'], permission: 'public',
    responses: { 200: { description: 'Ready', schema: checkSchema }, 503: { description: 'A dependency is unreachable', schema: checkSchema } },
    handler: async ({ deps }) => {
      const [postgres, temporal] = await Promise.all([
        probe(() => deps.db.raw('select 1')),
        probe(() => deps.temporal.connection.withDeadline(Date.now() + 3_000, () => deps.temporal.workflowService.getSystemInfo({}))),
      ]);
      const ok = postgres.ok && temporal.ok;
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks: { postgres, temporal } } };
    },
  }),
];
