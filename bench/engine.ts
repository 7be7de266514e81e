/**
 * `npm run bench:engine`: the interpreter (mirror off, and mirror on when DATABASE_URL points at a migrated
 * database) against hand-written Temporal workflows running the same no-op activities, in the same process,
 * on the same dev server: a 10-step sequence and a 20-branch parallel. Prints throughput and p50/p95 latency.
 * Env: BENCH_RUNS (default 200), BENCH_CONCURRENCY (default 20), TEMPORAL_ADDRESS (default: own dev server).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { TaskActivities } from '../common/definitions/activity-types';
import type { InterpreterInput, TaskDefinitionSnapshot, WorkflowDefinition } from '../common/definitions/types';
import { freePort } from '../devstack/free-port';
import { startTemporalDevServer, type DevServer } from '../devstack/temporal-dev-server';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TASK_QUEUE = `bench-engine-${randomUUID().slice(0, 8)}`;
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
    return client.workflow.start('interpreterWorkflow', { taskQueue: TASK_QUEUE, workflowId: id, args: [input] });
  };
}

const handWritten = (type: string, arg: number): Scenario['start'] => (client, id) => client.workflow.start(type, { taskQueue: TASK_QUEUE, workflowId: id, args: [arg] });

interface Stats { name: string; runs: number; seconds: number; throughput: number; p50: number; p95: number }

async function measure(client: Client, s: Scenario, runs = RUNS): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const began = Date.now();
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
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { name: s.name, runs, seconds, throughput: runs / seconds, p50: pct(50), p95: pct(95) };
}

/** Activities: the real ones (with their DB mirror) when a database is configured, else trivial no-ops. */
async function activities(): Promise<{ acts: Record<string, unknown>; db?: Knex; definitionRowIds: Record<string, string> }> {
  const noopActs = { noop: async () => null };
  const definitionRowIds: Record<string, string> = {};
  if (!process.env.DATABASE_URL) {
    const runTask: TaskActivities['runTask'] = async () => null;
    return { acts: { ...noopActs, runTask, mirrorWorkflow: async () => undefined }, definitionRowIds };
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
  return { acts: { ...noopActs, ...createActivities({ db, logger: createLogger({ level: 'warn' }) }) }, db, definitionRowIds };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let server: DevServer | undefined;
  const address = process.env.TEMPORAL_ADDRESS ?? (server = await startTemporalDevServer({ port: await freePort() })).address;
  const { acts, db, definitionRowIds } = await activities();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./baseline-workflows'), logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }), taskQueue: TASK_QUEUE, workflowBundle: { code }, activities: acts,
    maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200,
  });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const scenarios: Scenario[] = [
    { name: 'seq10 hand-written', start: handWritten('handWrittenSequence', 10) },
    { name: 'seq10 interpreter (mirror off)', start: interpreter(sequenceDef, false) },
    ...(db ? [{ name: 'seq10 interpreter (mirror on)', start: interpreter(sequenceDef, true, definitionRowIds['bench-sequence']) }] : []),
    { name: 'par20 hand-written', start: handWritten('handWrittenParallel', 20) },
    { name: 'par20 interpreter (mirror off)', start: interpreter(parallelDef, false) },
    ...(db ? [{ name: 'par20 interpreter (mirror on)', start: interpreter(parallelDef, true, definitionRowIds['bench-parallel']) }] : []),
  ];
  const results: Stats[] = [];
  await worker.runUntil(async () => {
    await measure(client, { name: 'warm-up', start: handWritten('handWrittenSequence', 2) }, 40);
    for (const s of scenarios) {
      results.push(await measure(client, s));
      console.error(`done: ${s.name}`);
    }
  });
  printTable(results);
  await client.connection.close();
  await db?.destroy();
  await server?.stop();
}

function printTable(results: Stats[]): void {
  const baseline = (name: string) => results.find((r) => r.name === `${name.split(' ')[0]} hand-written`);
  console.log(`\nruns per scenario: ${RUNS}, concurrency: ${CONCURRENCY}\n`);
  console.log('| scenario | runs/s | p50 ms | p95 ms | throughput vs hand-written |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    const b = baseline(r.name);
    const ratio = b ? `${((r.throughput / b.throughput) * 100).toFixed(0)}%` : '';
    console.log(`| ${r.name} | ${r.throughput.toFixed(1)} | ${r.p50} | ${r.p95} | ${ratio} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
