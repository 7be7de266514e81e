/**
 * `npm run bench:engine`: the interpreter (mirror off, and mirror on: into DATABASE_URL when set, else a scratch
 * database created on the local PostgreSQL and dropped afterwards; BENCH_NO_DB=1 skips the mirror rows) against hand-written Temporal workflows calling the same `runTask` activity with the same no-op
 * task, in the same process, on the same dev server, with identical worker options: a 10-step sequence and a
 * 20-branch parallel.
 * Prints throughput and p50/p95 latency.
 * Env: BENCH_RUNS (default 400), BENCH_CONCURRENCY (default 20), BENCH_ROUNDS (default 4: the runs of each scenario
 * are split into rounds that interleave the scenarios), TEMPORAL_ADDRESS (default: own dev server),
 * BENCH_ONLY (run only scenarios whose name contains it, e.g. `par20`; for profiling one path).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import {
  NativeConnection,
  Runtime,
  Worker,
  DefaultLogger,
  bundleWorkflowCode,
  type BundleOptions,
} from '@temporalio/worker';
import type { Knex } from 'knex';
import type { TaskActivities } from '../common/contracts/tasks';
import type { InterpreterInput, TaskDefinitionSnapshot, WorkflowDefinition } from '../common/definitions/types';
import { freePort } from '../devstack/free-port';
import { WORKFLOW_BUNDLE_OPTIONS } from '../workers/workflow-bundle';
import { workflowSpanSinks } from '../workers/tracing';
import { insertWorkflowInstance, markRunStarted } from '../db/repositories/workflow-instances';
import { startTemporalDevServer, type DevServer } from '../devstack/temporal-dev-server';
import { createCpuMeter } from './cpu-meter';
import { measureHistory, merge, printTable, runBatch, type Sample, type Scenario } from './engine-measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const QUEUE = {
  handWritten: `bench-hand-${randomUUID().slice(0, 8)}`,
  interpreter: `bench-interp-${randomUUID().slice(0, 8)}`,
};
const NOOP: TaskDefinitionSnapshot = { task_id: 'bench-noop', version: '1.0.0', type: 'noop', config: {} };

const sequenceDef: WorkflowDefinition = {
  workflow_id: 'bench-sequence',
  name: 'bench sequence',
  version: '1.0.0',
  steps: Array.from({ length: 10 }, (_, i) => ({
    id: `s${i}`,
    type: 'task' as const,
    task: 'bench-noop',
    input: { i, previous: i === 0 ? null : `{% $steps.s${i - 1}.output %}` },
  })),
};
const parallelDef: WorkflowDefinition = {
  workflow_id: 'bench-parallel',
  name: 'bench parallel',
  version: '1.0.0',
  steps: [
    {
      id: 'fan',
      type: 'parallel',
      output_mode: 'array',
      branches: Array.from({ length: 20 }, (_, i) => ({
        id: `b${i}`,
        steps: [{ id: `t${i}`, type: 'task' as const, task: 'bench-noop', input: { i } }],
      })),
    },
  ],
};

/**
 * Starts the interpreter. With a mirror database it starts the way startRun does (services/runs/start.ts), so
 * the mirror-on rows pay for every mirror write of a production run: the pending row inserted before the
 * start, the run marked running after it (the run then writes no start marker), the end marker, the task rows.
 */
function interpreter(def: WorkflowDefinition, mirror?: { db: Knex; definitionRowId: string }): Scenario['start'] {
  return async (client, id) => {
    const input: InterpreterInput = {
      instanceId: randomUUID(),
      definition: def,
      tasks: { 'bench-noop': NOOP },
      input: {},
      ...(mirror && { definitionRowId: mirror.definitionRowId, startMirrored: true }),
      trigger: { kind: 'api' },
      options: { mirror: !!mirror, subscriptions: false },
    };
    if (mirror) {
      await insertWorkflowInstance(mirror.db, {
        id: input.instanceId,
        temporal_workflow_id: id,
        workflow_definition_id: mirror.definitionRowId,
        definition_workflow_id: def.workflow_id,
        definition_version: def.version,
        status: 'pending',
        input: {},
        trigger: { kind: 'api' },
        mirror_seq: 0,
        variables: {},
        current_steps: [],
      });
    }
    const handle = await client.workflow.start('interpreterWorkflow', {
      taskQueue: QUEUE.interpreter,
      workflowId: id,
      args: [input],
    });
    if (mirror) await markRunStarted(mirror.db, input.instanceId, handle.firstExecutionRunId);
    return handle;
  };
}

const handWritten =
  (type: string, size: number): Scenario['start'] =>
  (client, id) =>
    client.workflow.start(type, { taskQueue: QUEUE.handWritten, workflowId: id, args: [NOOP, size] });

/** Activities: the real ones (with their DB mirror) when a database is configured, else trivial no-ops. */
async function activities(client: Client): Promise<{
  acts: Record<string, unknown>;
  db?: Knex;
  definitionRowIds: Record<string, string>;
  dropScratch?: () => Promise<void>;
}> {
  const definitionRowIds: Record<string, string> = {};
  if (process.env.BENCH_NO_DB === '1') {
    const runTask: TaskActivities['runTask'] = async () => null;
    return { acts: { runTask, mirrorWorkflow: async () => undefined }, definitionRowIds };
  }
  let url = process.env.DATABASE_URL;
  let dropScratch: (() => Promise<void>) | undefined;
  if (!url) {
    const { createTestDatabase } = await import('../test/helpers/test-database');
    const scratch = await createTestDatabase();
    url = scratch.url;
    dropScratch = scratch.drop;
  }
  const { createDb } = await import('../db/connection');
  const { createActivities } = await import('../activities');
  const { createLogger } = await import('../common/logger');
  const { loadConfig } = await import('../common/config');
  const { workflowDefinitions } = await import('../db/repositories/workflow-definitions');
  const db = createDb({ url, poolMax: 20 });
  for (const def of [sequenceDef, parallelDef]) {
    const row = await workflowDefinitions.upsert(db, {
      workflow_id: def.workflow_id,
      version: def.version,
      name: def.name,
      definition: def,
      status: 'active',
    });
    definitionRowIds[def.workflow_id] = (row as { id: string }).id;
  }
  return {
    acts: createActivities({ db, logger: createLogger({ level: 'warn' }), temporal: client, config: loadConfig() }),
    db,
    definitionRowIds,
    dropScratch,
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let server: DevServer | undefined;
  const address =
    process.env.TEMPORAL_ADDRESS ?? (server = await startTemporalDevServer({ port: await freePort() })).address;
  const client = new Client({ connection: await Connection.connect({ address }) });
  const { acts, db, definitionRowIds, dropScratch } = await activities(client);
  const connection = await NativeConnection.connect({ address });
  // Two workers with identical options and activities; each side gets its own bundle, as it would in
  // production (the baseline does not load the interpreter's modules, e.g. JSONata, into every run).
  const worker = async (taskQueue: string, bundle: BundleOptions) =>
    Worker.create({
      connection,
      taskQueue,
      activities: acts,
      maxConcurrentWorkflowTaskExecutions: 100,
      maxConcurrentActivityTaskExecutions: 200,
      workflowBundle: await bundleWorkflowCode({ ...bundle, logger: new DefaultLogger('WARN') }),
      // The interpreter's bundle holds the OpenTelemetry workflow interceptors: their span sink (tracing off here).
      sinks: workflowSpanSinks(undefined),
    });
  const workers = [
    await worker(QUEUE.handWritten, { workflowsPath: require.resolve('./baseline-workflows') }),
    await worker(QUEUE.interpreter, WORKFLOW_BUNDLE_OPTIONS),
  ];
  const scenarios: Scenario[] = [
    { name: 'seq10 hand-written', start: handWritten('handWrittenSequence', 10) },
    { name: 'seq10 interpreter (mirror off)', start: interpreter(sequenceDef) },
    ...(db
      ? [
          {
            name: 'seq10 interpreter (mirror on)',
            start: interpreter(sequenceDef, { db, definitionRowId: definitionRowIds['bench-sequence'] }),
          },
        ]
      : []),
    { name: 'par20 hand-written', start: handWritten('handWrittenParallel', 20) },
    { name: 'par20 interpreter (mirror off)', start: interpreter(parallelDef) },
    ...(db
      ? [
          {
            name: 'par20 interpreter (mirror on)',
            start: interpreter(parallelDef, { db, definitionRowId: definitionRowIds['bench-parallel'] }),
          },
        ]
      : []),
  ];
  const meter = createCpuMeter({ temporalPid: server?.process.pid, db });
  const only = process.env.BENCH_ONLY;
  const selected = only ? scenarios.filter((s) => s.name.includes(only)) : scenarios;
  const samples = new Map<string, Sample>();
  const loadBefore = loadavg();
  await workers[0].runUntil(
    workers[1].runUntil(async () => {
      for (const warmUp of [handWritten('handWrittenSequence', 2), interpreter(sequenceDef)])
        await runBatch(client, { name: 'warm-up', start: warmUp }, 40, CONCURRENCY, meter);
      // Rounds interleave the scenarios, so load from elsewhere on the machine falls on every row alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const s of selected)
          samples.set(
            s.name,
            merge(samples.get(s.name), await runBatch(client, s, Math.ceil(RUNS / ROUNDS), CONCURRENCY, meter)),
          );
        console.error(`round ${round + 1}/${ROUNDS} done`);
      }
      for (const s of samples.values()) await measureHistory(client, s);
    }),
  );
  printTable(
    [...samples.values()],
    `runs per scenario: ${Math.ceil(RUNS / ROUNDS) * ROUNDS} in ${ROUNDS} interleaved rounds, concurrency: ${CONCURRENCY}`,
    loadBefore,
  );
  await client.connection.close();
  await db?.destroy();
  await dropScratch?.();
  await server?.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
