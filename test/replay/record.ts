/**
 * Regenerates the replay fixtures: runs every scenario of test/engine/scenarios.ts (interpreter), of
 * ./dispatcher-scenarios.ts (event dispatcher), of ./bulk-scenarios.ts (bulk operations) and of ./schedule-scenarios.ts
 * (a schedule's action) on a private dev server with fake activities and stores each history as JSON in
 * test/replay/histories/.
 * Usage: `npm run replay:record -- name-prefix ...` (only the named fixtures, e.g. `dispatcher-`) or
 * `npm run replay:record -- --all` (every fixture). With no argument it refuses: rewriting every fixture by
 * accident would hide a determinism change. Starts its own dev server, or uses TEMPORAL_ADDRESS when set: then
 * the recorded workflow ids must be free.
 * The worker runs as production does, with Temporal's OpenTelemetry interceptors (in the bundle) and the
 * interpreter's step spans. `--traced` records the named scenarios as `traced-<name>` fixtures with a tracer
 * provider in this process, so their histories carry the trace context the client and the workflow propagate
 * (the older fixtures were recorded before the interceptors existed: both kinds must replay).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { NativeConnection, Worker } from '@temporalio/worker';
import { freePort } from '../../devstack/free-port';
import { findTemporalCli } from '../../devstack/temporal-cli';
import { startTemporalDevServer, type DevServer } from '../../devstack/temporal-dev-server';
import { createFakeActivities } from '../engine/fake-activities';
import { startScenario } from '../engine/run-scenario';
import { CHILD_DEFINITIONS, SCENARIOS } from '../engine/scenarios';
import { BULK_SCENARIOS, bulkActivities } from './bulk-scenarios';
import { DISPATCHER_SCENARIOS, dispatcherActivities } from './dispatcher-scenarios';
import { SCHEDULE_SCENARIOS, scheduleActivities } from './schedule-scenarios';
import { replayWorkflowId } from './workflow-ids';
import { BUNDLE_AT_START } from '../../workers/workflow-bundle';
import { tracingWorkerOptions } from '../../workers/tracing';
import { setupTracing, temporalClientInterceptors } from '../../services/observability/tracing';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const OUT_DIR = join(__dirname, 'histories');
const TASK_QUEUE = 'replay-record';
const USAGE = 'usage: npm run replay:record -- [--traced] <fixture-name-prefix> ... | --all';
const traced = process.argv.includes('--traced');
const args = process.argv.slice(2).filter((a) => a !== '--traced');
const all = args.includes('--all');
const only = args.filter((a) => a !== '--all');
/** The fixture (and workflow id) a scenario is recorded under. */
const fixtureName = (name: string) => (traced ? `traced-${name}` : name);
const spans = new InMemorySpanExporter();
if (args.length === 0 || (all && only.length > 0) || only.some((a) => a.startsWith('-'))) {
  console.error(USAGE);
  process.exit(2);
}
const wanted = (name: string) => all || only.some((prefix) => name.startsWith(prefix));
const NAMES = [
  ...Object.keys(SCENARIOS),
  ...Object.keys(DISPATCHER_SCENARIOS),
  ...Object.keys(BULK_SCENARIOS),
  ...Object.keys(SCHEDULE_SCENARIOS),
];
const unmatched = only.filter((prefix) => !NAMES.some((name) => name.startsWith(prefix)));
if (unmatched.length > 0) {
  console.error(`no scenario matches ${unmatched.join(', ')}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let server: DevServer | undefined;
  const address =
    process.env.TEMPORAL_ADDRESS ?? (server = await startTemporalDevServer({ port: await freePort() })).address;
  const nativeConnection = await NativeConnection.connect({ address });
  const { activities } = createFakeActivities(CHILD_DEFINITIONS);
  const tracing = traced
    ? setupTracing(
        {
          tracing: 'on',
          tracingSampleRatio: 1,
          observabilityTracesDb: false,
          observabilityTracesQueueMax: 1,
          observabilityTracesFlushMs: 1000,
          otelServiceName: undefined,
          otelExporterOtlpEndpoint: undefined,
          otelExporterOtlpTracesEndpoint: undefined,
        },
        'aos-replay-record',
        { processors: [new SimpleSpanProcessor(spans)] },
      )
    : undefined;
  const withTracing = tracingWorkerOptions(tracing);
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    ...BUNDLE_AT_START,
    activities: { ...activities, ...dispatcherActivities, ...bulkActivities, ...scheduleActivities },
    interceptors: { ...withTracing.interceptors, ...BUNDLE_AT_START.interceptors },
    sinks: withTracing.sinks,
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, interceptors: temporalClientInterceptors() });
  mkdirSync(OUT_DIR, { recursive: true });
  try {
    await worker.runUntil(async () => {
      await Promise.all(
        Object.entries(SCENARIOS)
          .filter(([name]) => wanted(name))
          .map(async ([name, scenario]) => {
            const fixture = fixtureName(name);
            const { handle } = await startScenario(client, TASK_QUEUE, name, scenario, replayWorkflowId(fixture));
            const outcome = await handle.result().then(
              () => 'completed',
              (err: unknown) =>
                err instanceof WorkflowFailedError && err.cause?.name === 'CancelledFailure' ? 'cancelled' : 'failed',
            );
            if (outcome !== (scenario.ends ?? 'completed'))
              throw new Error(`${name}: expected ${scenario.ends ?? 'completed'}, got ${outcome}`);
            // The handle is bound to the first run: for continue-as-new that is the run that ended by continuing.
            write(fixture, historyJson(address, handle.workflowId, handle.firstExecutionRunId));
            if (name === 'continue-as-new') write(`${fixture}-last-run`, historyJson(address, handle.workflowId));
            console.log(`recorded ${fixture} (${outcome})`);
          }),
      );
      await Promise.all(
        Object.entries(DISPATCHER_SCENARIOS)
          .filter(([name]) => wanted(name))
          .map(async ([name, scenario]) => {
            const handle = await client.workflow.start('eventDispatcherWorkflow', {
              taskQueue: TASK_QUEUE,
              workflowId: replayWorkflowId(fixtureName(name)),
              args: [scenario.input],
            });
            await scenario.drive(client, handle);
            // The first run: for continue-as-new that is the run that ended by continuing.
            write(fixtureName(name), historyJson(address, handle.workflowId, handle.firstExecutionRunId));
            console.log(`recorded ${fixtureName(name)}`);
          }),
      );
      await Promise.all(
        Object.entries(BULK_SCENARIOS)
          .filter(([name]) => wanted(name))
          .map(async ([name, scenario]) => {
            const workflowId = replayWorkflowId(fixtureName(name));
            const handle = await client.workflow.start('bulkOperationWorkflow', {
              taskQueue: TASK_QUEUE,
              workflowId,
              args: [{ operationId: workflowId }],
            });
            await scenario.drive(client, handle);
            write(fixtureName(name), historyJson(address, handle.workflowId, handle.firstExecutionRunId));
            console.log(`recorded ${fixtureName(name)}`);
          }),
      );
      await Promise.all(
        Object.entries(SCHEDULE_SCENARIOS)
          .filter(([name]) => wanted(name))
          .map(async ([name, scenario]) => {
            const handle = await client.workflow.start('scheduledRunWorkflow', {
              taskQueue: TASK_QUEUE,
              workflowId: replayWorkflowId(fixtureName(name)),
              args: [scenario.args],
            });
            await scenario.drive(client, handle);
            write(fixtureName(name), historyJson(address, handle.workflowId));
            console.log(`recorded ${fixtureName(name)}`);
          }),
      );
    });
    if (tracing) {
      await tracing.provider.forceFlush();
      const steps = spans.getFinishedSpans().filter((s) => s.name.startsWith('step '));
      // A traced recording whose runs made no step spans would not be what its name says.
      if (steps.length === 0) throw new Error('--traced: the recorded runs produced no step spans');
      console.log(`${steps.length} step spans`);
    }
  } finally {
    await tracing?.shutdown();
    await connection.close();
    await nativeConnection.close();
    await server?.stop();
  }
}

/**
 * The history in proto3 JSON, as `temporal workflow show --output json` prints it. (The SDK's historyToJSON
 * breaks when npm installs two protobufjs copies; the CLI's output is the canonical form anyway.)
 */
function historyJson(address: string, workflowId: string, runId?: string): string {
  const args = [
    'workflow',
    'show',
    '--address',
    address,
    '--workflow-id',
    workflowId,
    '--output',
    'json',
    ...(runId ? ['--run-id', runId] : []),
  ];
  return execFileSync(findTemporalCli(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function write(name: string, json: string): void {
  writeFileSync(join(OUT_DIR, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
