/** Workflow helpers for the event tests: stored definitions, interpreter runs, polling. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { InterpreterInput, WorkflowDefinition } from '../../common/definitions/types';
import type { Config } from '../../common/config';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';

/** Stores `definition` as an active workflow definition; returns its row id. */
export async function storeDefinition(db: Knex, definition: WorkflowDefinition): Promise<string> {
  const row = await workflowDefinitions.insert(db, {
    workflow_id: definition.workflow_id,
    version: definition.version,
    name: definition.name,
    status: 'active',
    definition,
  });
  return row.id;
}

/** Starts the interpreter on `definition` directly (the engine's startRun does the same with a stored one). */
export async function startInterpreter(
  temporal: Client,
  config: Config,
  definition: WorkflowDefinition,
  opts: { input?: unknown; correlationKey?: string; rowId?: string } = {},
) {
  const input: InterpreterInput = {
    instanceId: randomUUID(),
    ...(opts.rowId && { definitionRowId: opts.rowId }),
    definition,
    tasks: {},
    input: opts.input ?? {},
    ...(opts.correlationKey !== undefined && { correlationKey: opts.correlationKey }),
    trigger: { kind: 'api' },
  };
  const handle = await temporal.workflow.start('interpreterWorkflow', {
    taskQueue: config.taskQueue,
    workflowId: `run-${input.instanceId}`,
    args: [input],
  });
  return { handle, input };
}

/** Polls `fn` until it returns a truthy value (or fails after `timeoutMs`). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
