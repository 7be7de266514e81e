/** Readiness of the platform's dependencies: PostgreSQL and Temporal reachable. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { pingDatabase } from '../db/repositories/health';

/** One dependency's probe. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
  latencyMs: number;
}

async function probe(fn: () => Promise<unknown>): Promise<ProbeResult> {
  const started = Date.now();
  try {
    await fn();
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    return { ok: false, error: (err as Error).message, latencyMs: Date.now() - started };
  }
}

/** Probes PostgreSQL and Temporal (3 s deadline) at once; `ok` when both answer. */
export async function checkReadiness(deps: {
  db: Knex;
  temporal: Client;
}): Promise<{ ok: boolean; postgres: ProbeResult; temporal: ProbeResult }> {
  const [postgres, temporal] = await Promise.all([
    probe(() => pingDatabase(deps.db)),
    probe(() =>
      deps.temporal.connection.withDeadline(Date.now() + 3_000, () => deps.temporal.workflowService.getSystemInfo({})),
    ),
  ]);
  return { ok: postgres.ok && temporal.ok, postgres, temporal };
}
