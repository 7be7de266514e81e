/**
 * `npm run bench:engine`: the interpreter (mirror off, and mirror on when DATABASE_URL points at a migrated
 * database) against hand-written Temporal workflows calling the same `runTask` activity with the same no-op
 * task, in the same process, on the same dev server and worker: a 10-step sequence and a 20-branch parallel.
 * Prints throughput and p50/p95 latency.
 * Env: BENCH_RUNS (default 200), BENCH_CONCURRENCY (default 20), TEMPORAL_ADDRESS (default: own dev server),
 * BENCH_ONLY (run only scenarios whose name contains it, e.g. `par20`; for profiling one path).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { TaskActivities } from '../common/definitions/activity-types';
import type { InterpreterInput, TaskDefinitionSnapshot, WorkflowDefinition } from '../common/definitions/types';
import { freePort } from '../devstack/free-port';
import { startTemporalDevServer, type DevServer } from '../devstack/temporal-dev-server';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const QUEUE = { handWritten: `bench-hand-${randomUUID().slice(0, 8)}`, interpreter: `bench-interp-${randomUUID().slice(0, 8)}` };
const NOOP: TaskDefinitionSnapshot = { task_id: 'bench-noop', version: '1.0.0', type: 'noop', config: {} };

const sequenceDef: WorkflowDefinition = {
  workflow_id: 'bench-sequence', name: 'bench sequence', version: '1.0.0',
  steps: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, type: 'task' as const, task: 'bench-noop', input: { i, previous: i === 0 ? null : `{% $steps.s${i - 1}.output %}` } })),
};
const parallelDef: WorkflowDefinition = {
  workflow_id: 'bench-parallel', name: 'bench parallel', version: '1.0.0',
  steps: [{ id: 'fan', type: 'parallel', output_mode: 'array', branches: Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, steps: [{ id: `t${i}`, type: 'task' as const, task: 'bench-noop', input: { i } }] })) }],
};

interface Scenario {
  name: string;
  start: (client: Client, id: string) => Promise<{ result(): Promise<unknown> }>;
}

function interpreter(def: WorkflowDefinition, mirror: boolean, definitionRowId?: string): Scenario['start'] {
  return (client, id) => {
    const input: InterpreterInput = {
      instanceId: randomUUID(), definition: def, tasks: { 'bench-noop': NOOP }, input: {},
      ...(definitionRowId && { definitionRowId }), trigger: { kind: 'api' }, options: { mirror, subscriptions: false },
    };
    return client.workflow.start('interpreterWorkflow', { taskQueue: QUEUE.interpreter, workflowId: id, args: [input] });
  };
}

const handWritten = (type: string, size: number): Scenario['start'] => (client, id) => client.workflow.start(type, { taskQueue: QUEUE.handWritten, workflowId: id, args: [NOOP, size] });

interface Stats { name: string; runs: number; seconds: number; throughput: number; p50: number; p95: number; cpuMsPerRun: number }

async function measure(client: Client, s: Scenario, runs = RUNS): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const began = Date.now();
  // Process-wide CPU (worker threads, activities, client): a figure the other load on the machine barely moves.
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < runs) {
      const n = next++;
      const t0 = Date.now();
      const handle = await s.start(client, `${s.name}-${n}-${randomUUID().slice(0, 8)}`);
      await handle.result();
      latencies.push(Date.now() - t0);
    }
  }));
  const seconds = (Date.now() - began) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { name: s.name, runs, seconds, throughput: runs / seconds, p50: pct(50), p95: pct(95), cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs };
}

/** Activities: the real ones (with their DB mirror) when a database is configured, else trivial no-ops. */
async function activities(): Promise<{ acts: Record<string, unknown>; db?: Knex; definitionRowIds: Record<string, string> }> {
  const definitionRowIds: Record<string, string> = {};
  if (!process.env.DATABASE_URL) {
    const runTask: TaskActivities['runTask'] = async () => null;
    return { acts: { runTask, mirrorWorkflow: async () => undefined }, definitionRowIds };
  }
  const { createDb } = await import('../db/connection');
  const { createActivities } = await import('../activities');
  const { createLogger } = await import('../common/logger');
  const { workflowDefinitions } = await import('../db/repositories/workflow-definitions');
  const db = createDb({ url: process.env.DATABASE_URL, poolMax: 20 });
  for (const def of [sequenceDef, parallelDef]) {
    const row = await workflowDefinitions.upsert(db, { workflow_id: def.workflow_id, version: def.version, name: def.name, definition: def, status: 'active' });
    definitionRowIds[def.workflow_id] = (row as { id: string }).id;
  }
  return { acts: createActivities({ db, logger: createLogger({ level: 'warn' }) }), db, definitionRowIds };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let server: DevServer | undefined;
  const address = process.env.TEMPORAL_ADDRESS ?? (server = await startTemporalDevServer({ port: await freePort() })).address;
  const { acts, db, definitionRowIds } = await activities();
  const connection = await NativeConnection.connect({ address });
  // Two workers with identical options and activities; each side gets its own bundle, as it would in
  // production (the baseline does not load the interpreter's modules, e.g. JSONata, into every run).
  const worker = async (taskQueue: string, workflowsPath: string) => Worker.create({
    connection, taskQueue, activities: acts, maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200,
    workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }),
  });
  const workers = [await worker(QUEUE.handWritten, require.resolve('./baseline-workflows')), await worker(QUEUE.interpreter, require.resolve('../workflows'))];
  const client = new Client({ connection: await Connection.connect({ address }) });
  const scenarios: Scenario[] = [
    { name: 'seq10 hand-written', start: handWritten('handWrittenSequence', 10) },
    { name: 'seq10 interpreter (mirror off)', start: interpreter(sequenceDef, false) },
    ...(db ? [{ name: 'seq10 interpreter (mirror on)', start: interpreter(sequenceDef, true, definitionRowIds['bench-sequence']) }] : []),
    { name: 'par20 hand-written', start: handWritten('handWrittenParallel', 20) },
    { name: 'par20 interpreter (mirror off)', start: interpreter(parallelDef, false) },
    ...(db ? [{ name: 'par20 interpreter (mirror on)', start: interpreter(parallelDef, true, definitionRowIds['bench-parallel']) }] : []),
  ];
  const only = process.env.BENCH_ONLY;
  const selected = only ? scenarios.filter((s) => s.name.includes(only)) : scenarios;
  const results: Stats[] = [];
  const loadBefore = loadavg();
  await workers[0].runUntil(workers[1].runUntil(async () => {
    for (const warmUp of [handWritten('handWrittenSequence', 2), interpreter(sequenceDef, false)]) await measure(client, { name: 'warm-up', start: warmUp }, 40);
    for (const s of selected) {
      results.push(await measure(client, s));
      console.error(`done: ${s.name}`);
    }
  }));
  printTable(results, loadBefore);
  await client.connection.close();
  await db?.destroy();
  await server?.stop();
}

function printTable(results: Stats[], loadBefore: number[]): void {
  const baseline = (name: string) => results.find((r) => r.name === `${name.split(' ')[0]} hand-written`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nruns per scenario: ${RUNS}, concurrency: ${CONCURRENCY}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(`load average before: ${load(loadBefore)}, after: ${load(loadavg())}\n`);
  console.log('| scenario | runs/s | p50 ms | p95 ms | bench CPU ms/run | throughput vs hand-written |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const b = baseline(r.name);
    const ratio = b ? `${((r.throughput / b.throughput) * 100).toFixed(0)}%` : '';
    console.log(`| ${r.name} | ${r.throughput.toFixed(1)} | ${r.p50} | ${r.p95} | ${r.cpuMsPerRun.toFixed(0)} | ${ratio} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
