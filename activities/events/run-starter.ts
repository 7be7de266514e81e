/** The engine's run starter as routing uses it (services/runs.ts `startRun`), injectable for tests. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';

/** What a trigger asks the engine to start. */
export interface TriggeredStart {
  workflowId: string;
  version?: string;
  input: unknown;
  correlationKey?: string;
  trigger: { kind: 'event'; eventId: string; triggerId: string };
  /** Deterministic `trg:<triggerId>:<eventId>`: the same event never starts the same trigger twice. */
  temporalWorkflowId: string;
}

/** The start function's shape. */
export type StartRun = (
  deps: { db: Knex; temporal: Client; config: Config },
  req: TriggeredStart,
) => Promise<{ instanceId: string; workflowId: string; runId?: string; started: boolean }>;

/** Loads services/runs lazily so this module does not pin the engine's module graph at import time. */
export function engineStartRun(): StartRun {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../services/runs') as { startRun: StartRun }).startRun;
}
