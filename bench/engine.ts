/**
 * `npm run bench:engine`: the interpreter (mirror off, and mirror on: into DATABASE_URL when set, else a scratch
 * database created on the local PostgreSQL and dropped afterwards; BENCH_NO_DB=1 skips the mirror rows) against hand-written Temporal workflows calling the same `runTask` activity with the same no-op
 * task, in the same process, on the same dev server, with identical worker options: a 10-step sequence and a
 * 20-branch parallel.
 * Prints throughput and p50/p95 latency.
 * Env: BENCH_RUNS (default 400), BENCH_CONCURRENCY (default 20), BENCH_ROUNDS (default 4: the runs of each scenario
 * are split into rounds that interleave the scenarios), TEMPORAL_ADDRESS (default: own dev server),
 * BENCH_ONLY (run only scenarios whose name contains it, e.g. `par20`; for profiling one path),
 * BENCH_OBSERVABILITY (default 1; 0 leaves out the "mirror on, observability on" rows: a third interpreter
 * worker with the production tracing wiring and log sink, switched on for its own batches only, see
 * bench/observability.ts).
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
  type WorkerOptions,
} from '@temporalio/worker';
import type { Knex } from 'knex';
import type { TaskActivities } from '../common/contracts/tasks';
import type { InterpreterInput, TaskDefinitionSnapshot, WorkflowDefinition } from '../common/definitions/types';
import { freePort } from '../devstack/free-port';
import { WORKFLOW_BUNDLE_OPTIONS } from '../workers/workflow-bundle';
import { tracingWorkerOptions, workflowSpanSinks } from '../workers/tracing';
import { insertWorkflowInstance, markRunStarted } from '../db/repositories/workflow-instances';
import { startTemporalDevServer, type DevServer } from '../devstack/temporal-dev-server';
import { createCpuMeter } from './cpu-meter';
import { setupBenchObservability, type BenchObservability, type ObservabilityCounts } from './observability';
import { measureHistory, merge, printTable, runBatch, type Sample, type Scenario } from './engine-measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const OBSERVABILITY = process.env.BENCH_OBSERVABILITY !== '0';
const QUEUE = {
  handWritten: `bench-hand-${randomUUID().slice(0, 8)}`,
  interpreter: `bench-interp-${randomUUID().slice(0, 8)}`,
  observed: `bench-observed-${randomUUID().slice(0, 8)}`,
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
function interpreter(
  def: WorkflowDefinition,
  mirror?: { db: Knex; definitionRowId: string },
  taskQueue = QUEUE.interpreter,
): Scenario['start'] {
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
      taskQueue,
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
  /** The observed worker's: the same activities, logging through the observability logger. */
  observed?: { acts: Record<string, unknown>; obs: BenchObservability };
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
  const config = loadConfig();
  // Observability writes into the bench's database, as a production process's exporters write into its own.
  const obs = OBSERVABILITY ? setupBenchObservability(db, 'aos-bench-worker') : undefined;
  return {
    acts: createActivities({ db, logger: createLogger({ level: 'warn' }), temporal: client, config }),
    observed: obs && { acts: createActivities({ db, logger: obs.logger, temporal: client, config }), obs },
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
  const { acts, observed, db, definitionRowIds, dropScratch } = await activities(client);
  const connection = await NativeConnection.connect({ address });
  // Two workers with identical options and activities; each side gets its own bundle, as it would in
  // production (the baseline does not load the interpreter's modules, e.g. JSONata, into every run).
  const worker = async (
    taskQueue: string,
    bundle: BundleOptions,
    opts: Pick<WorkerOptions, 'activities' | 'interceptors' | 'sinks'> = {},
  ) =>
    Worker.create({
      connection,
      taskQueue,
      activities: acts,
      maxConcurrentWorkflowTaskExecutions: 100,
      maxConcurrentActivityTaskExecutions: 200,
      workflowBundle: await bundleWorkflowCode({ ...bundle, logger: new DefaultLogger('WARN') }),
      // The interpreter's bundle holds the OpenTelemetry workflow interceptors: their span sink (tracing off here).
      sinks: workflowSpanSinks(undefined),
      ...opts,
    });
  const workers = [
    await worker(QUEUE.handWritten, { workflowsPath: require.resolve('./baseline-workflows') }),
    await worker(QUEUE.interpreter, WORKFLOW_BUNDLE_OPTIONS),
  ];
  // The observed worker: production tracing wiring (activity interceptors, workflow span sink into the process's
  // exporters), its activities logging through the log sink; the global provider is registered only during its
  // batches, so the other rows run with no provider, as with TRACING=off.
  if (observed)
    workers.push(
      await worker(QUEUE.observed, WORKFLOW_BUNDLE_OPTIONS, {
        activities: observed.acts,
        ...tracingWorkerOptions(observed.obs.tracing),
      }),
    );
  const rows = new Map<string, ObservabilityCounts & { runs: number }>();
  const observedRow = (name: string, start: Scenario['start']): Scenario => {
    const obs = observed!.obs;
    let before: ObservabilityCounts | undefined;
    return {
      name,
      start,
      before() {
        obs.on();
        before = obs.counts();
      },
      async after() {
        await obs.settle();
        obs.off();
        const now = obs.counts();
        const acc = rows.get(name) ?? { spans: 0, spansWritten: 0, logs: 0, logsWritten: 0, dropped: 0, runs: 0 };
        for (const k of ['spans', 'spansWritten', 'logs', 'logsWritten', 'dropped'] as const)
          acc[k] += now[k] - before![k];
        acc.runs += Math.ceil(RUNS / ROUNDS);
        rows.set(name, acc);
      },
    };
  };
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
    ...(db && observed
      ? [
          observedRow(
            'seq10 interpreter (mirror on, observability on)',
            interpreter(sequenceDef, { db, definitionRowId: definitionRowIds['bench-sequence'] }, QUEUE.observed),
          ),
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
    ...(db && observed
      ? [
          observedRow(
            'par20 interpreter (mirror on, observability on)',
            interpreter(parallelDef, { db, definitionRowId: definitionRowIds['bench-parallel'] }, QUEUE.observed),
          ),
        ]
      : []),
  ];
  const meter = createCpuMeter({ temporalPid: server?.process.pid, db });
  const only = process.env.BENCH_ONLY;
  const selected = only ? scenarios.filter((s) => s.name.includes(only)) : scenarios;
  const samples = new Map<string, Sample>();
  const loadBefore = loadavg();
  const runAll = (ws: Worker[], fn: () => Promise<void>): Promise<void> =>
    ws.length === 0 ? fn() : ws[0].runUntil(() => runAll(ws.slice(1), fn));
  await runAll(workers, async () => {
    for (const warmUp of [handWritten('handWrittenSequence', 2), interpreter(sequenceDef)])
      await runBatch(client, { name: 'warm-up', start: warmUp }, 40, CONCURRENCY, meter);
    if (db && observed) {
      const mirror = { db, definitionRowId: definitionRowIds['bench-sequence'] };
      const warm = observedRow('warm-up', interpreter(sequenceDef, mirror, QUEUE.observed));
      await runBatch(client, warm, 40, CONCURRENCY, meter);
      rows.delete('warm-up');
    }
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
  });
  printTable(
    [...samples.values()],
    `runs per scenario: ${Math.ceil(RUNS / ROUNDS) * ROUNDS} in ${ROUNDS} interleaved rounds, concurrency: ${CONCURRENCY}`,
    loadBefore,
  );
  printObservability(samples, rows);
  await observed?.obs.close();
  await client.connection.close();
  await db?.destroy();
  await dropScratch?.();
  await server?.stop();
}

/** The observability-on rows against their observability-off twins (mirror on both), and what they wrote. */
function printObservability(
  samples: Map<string, Sample>,
  rows: Map<string, ObservabilityCounts & { runs: number }>,
): void {
  if (rows.size === 0) return;
  console.log('');
  const throughput = (s: Sample) => s.latencies.length / s.seconds;
  const cpu = (s: Sample) => (s.stackCpu.self + s.stackCpu.temporal + s.stackCpu.pg) / s.latencies.length;
  for (const [name, w] of rows) {
    const on = samples.get(name);
    const off = samples.get(name.replace(', observability on', ''));
    if (!on || !off) continue;
    const ratio = throughput(on) / throughput(off);
    const per = (n: number) => (n / w.runs).toFixed(1);
    console.log(
      `${name.split(' ')[0]}: observability on/off throughput ${(ratio * 100).toFixed(0)}% (goal >= 95%: ${ratio >= 0.95 ? 'met' : 'NOT met'}),` +
        ` stack CPU/run off's over on's ${((cpu(off) / cpu(on)) * 100).toFixed(0)}% (${cpu(off).toFixed(0)} -> ${cpu(on).toFixed(0)} ms);` +
        ` per run: ${per(w.spans)} spans (${per(w.spansWritten)} written), ${per(w.logs)} log lines (${per(w.logsWritten)} written), ${w.dropped} dropped in all`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
