/** Event-to-resume half of bench:events: POST /events to a waiting run against a direct Temporal signal. */
import { randomUUID } from 'node:crypto';
import type { InterpreterInput, WorkflowDefinition } from '../common/definitions/types';
import { workflowDefinitions } from '../db/repositories/workflow-definitions';
import { aosEventSignal } from '../workflows/api';
import type { BenchCtx } from './events-ingest';
import { summarise, type Series } from './events-stats';
import type { BenchObservability } from './observability';

const SUBS = 'workflow_orchestrator_service.workflow_event_subscriptions';

/**
 * Alternates the two ways of resuming identical waiting runs, one at a time (latency, not load); with `obs`,
 * each also with observability on (switched on before the run starts, its rows flushed after it is measured).
 */
export async function measureResume(
  ctx: BenchCtx,
  n: number,
  obs?: BenchObservability,
  opts: { pattern?: string } = {},
): Promise<{ event: Series; signal: Series; eventOn?: Series; signalOn?: Series }> {
  const tag = randomUUID().slice(0, 8);
  // bench:scale passes one pattern for every size (its bulk subscriptions wait for it too): registered once.
  const pattern = opts.pattern ?? `resume${tag}.approved`;
  const definition: WorkflowDefinition = {
    workflow_id: `bench-resume-${tag}`,
    name: 'bench resume',
    version: '1.0.0',
    steps: [{ id: 'wait', type: 'wait_for_event', event: pattern, correlation: '{% $input.key %}', timeout: '120s' }],
  };
  const reg = await fetch(`${ctx.base}/event-definitions`, {
    method: 'POST',
    headers: { ...ctx.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      event_id: `bench-resume-${tag}`,
      name: 'resume',
      pattern,
      version: '1.0.0',
      payload_schema: { type: 'object' },
    }),
  });
  if (reg.status !== 201 && !(opts.pattern && reg.status === 409)) throw new Error(`definition: ${reg.status}`);
  const row = await workflowDefinitions.insert(ctx.db, {
    workflow_id: definition.workflow_id,
    version: '1.0.0',
    name: definition.name,
    status: 'active',
    definition,
  });
  const lat = { event: [] as number[], signal: [] as number[], eventOn: [] as number[], signalOn: [] as number[] };
  const modes = ['event', 'signal', ...(obs ? ['eventOn', 'signalOn'] : [])] as Array<keyof typeof lat>;
  for (let i = 0; i < n * modes.length; i++) {
    const mode = modes[i % modes.length];
    const on = mode === 'eventOn' || mode === 'signalOn';
    if (on) obs!.on();
    const key = `k-${tag}-${i}`;
    const input: InterpreterInput = {
      instanceId: randomUUID(),
      definitionRowId: row.id,
      definition,
      tasks: {},
      input: { key },
      trigger: { kind: 'api' },
    };
    const handle = await ctx.temporal.workflow.start('interpreterWorkflow', {
      taskQueue: ctx.config.taskQueue,
      workflowId: `resume-${input.instanceId}`,
      args: [input],
    });
    // Measure from the moment the wait is registered (both modes wait the same way).
    for (;;) {
      if (await ctx.db(SUBS).where({ temporal_workflow_id: handle.workflowId, status: 'open' }).first('id')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = performance.now();
    if (mode === 'event' || mode === 'eventOn') {
      const res = await fetch(`${ctx.base}/events`, {
        method: 'POST',
        headers: { ...ctx.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ pattern, payload: { ok: true }, metadata: { correlationId: key } }),
      });
      if (res.status !== 202) throw new Error(`POST /events answered ${res.status}`);
    } else {
      await handle.signal(aosEventSignal, {
        eventId: randomUUID(),
        pattern,
        payload: { ok: true },
        metadata: { correlationKey: key },
      });
    }
    await handle.result();
    lat[mode].push(performance.now() - t0);
    if (on) {
      await obs!.settle();
      obs!.off();
    }
  }
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1000;
  return {
    event: summarise(
      'POST /events -> dispatcher wake-up -> dispatch pass -> signal -> run completes',
      lat.event,
      total(lat.event),
    ),
    signal: summarise('direct Temporal signal -> run completes', lat.signal, total(lat.signal)),
    ...(obs && {
      eventOn: summarise('the same, observability on', lat.eventOn, total(lat.eventOn)),
      signalOn: summarise('direct signal, observability on', lat.signalOn, total(lat.signalOn)),
    }),
  };
}
