/**
 * Routing to triggers: enabled triggers whose pattern matches, by priority (lower first); condition,
 * correlation key and input mapping are JSONata over the event. START starts the definition (at most once
 * per trigger and event; with on_running skip/signal only while no other run of the definition with the same
 * correlation key is live, decided atomically by the engine's exclusive start); CANCEL cancels the running
 * instances with the same correlation key. A started run's `trigger.startedBy` is the event's publisher
 * (event_instances.published_by), when known. Starts, signals and cancels run in the caller's active context
 * (the dispatcher's `event.route` span), which Temporal's client interceptor carries into the workflows.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../../common/config';
import type { TriggerContext } from '../../../common/definitions/types';
import { FailureType } from '../../../common/errors';
import type { RoutingResult } from '../../../common/events/delivery';
import { evaluateOnEvent } from '../../../common/events/trigger-expressions';
import { describeFailure } from '../../../common/expressions/engine';
import type { StoredEvent } from '../../../db/repositories/event-instances';
import { liveRunIds, startedLiveRunIds } from '../../../db/repositories/event-runs';
import type { TriggerWithDefinition } from '../../../db/repositories/workflow-event-triggers';
import { aosEventSignal } from '../../../workflows/api';
import { nonRetryable } from '../../../common/errors/failures';
import { startRun } from '../../runs';
import { traceparentOf } from '../../../common/telemetry';
import { toEnvelope } from './envelope';
import { currentTriggers, matchingTriggers } from './trigger-set';

type Trigger = TriggerWithDefinition;

/**
 * Matching enabled triggers with their definition's business id, lowest priority number first: from the
 * compiled trigger set held in memory while the triggers are unchanged (./trigger-set.ts).
 */
export async function findTriggers(db: Knex, pattern: string): Promise<Trigger[]> {
  return matchingTriggers(await currentTriggers(db), pattern).sort(
    (a, b) => a.priority - b.priority || +a.created_at - +b.created_at,
  );
}

async function evalOrFail(expr: string, doc: object, what: string, t: Trigger): Promise<unknown> {
  try {
    return await evaluateOnEvent(expr, doc);
  } catch (err) {
    throw nonRetryable(FailureType.ExpressionError, `trigger ${t.trigger_id} ${what}: ${describeFailure(err).message}`);
  }
}

async function mappedInput(t: Trigger, doc: StoredEvent): Promise<unknown> {
  if (!t.input_mapping) return doc.payload;
  const input: Record<string, unknown> = {};
  for (const [key, expr] of Object.entries(t.input_mapping))
    input[key] = await evalOrFail(String(expr), doc, `input_mapping.${key}`, t);
  return input;
}

/**
 * The started run's trigger: the event, the trigger, the event's publisher as the run's starter, and the trace
 * context it is started in (routing's span, a child of the event's).
 */
function triggerOf(event: StoredEvent, t: Trigger): TriggerContext {
  const traceparent = traceparentOf();
  return {
    kind: 'event',
    eventId: event.eventId,
    triggerId: t.trigger_id,
    ...(event.publishedBy && { startedBy: event.publishedBy }),
    ...(traceparent && { traceparent }),
  };
}

/** What trigger routing needs. */
export type TriggerRoutingDeps = { db: Knex; temporal: Client; config: Config };

/**
 * START with on_running skip/signal: a live run Temporal already has decides at once (one read, no input
 * mapping); otherwise the exclusive start decides under its lock, so of concurrent events with one key only
 * one starts a run and the others see it (pending rows count as live).
 */
async function startUnlessLive(
  deps: TriggerRoutingDeps,
  t: Trigger,
  event: StoredEvent,
  key: string,
  ownId: string,
  out: RoutingResult,
): Promise<void> {
  const { db, temporal } = deps;
  const known = await startedLiveRunIds(db, t.definition_workflow_id, key, ownId);
  const res =
    known.length > 0
      ? { outcome: 'live' as const, liveWorkflowIds: known }
      : await startRun(
          { db, temporal, config: deps.config },
          {
            workflowId: t.definition_workflow_id,
            input: await mappedInput(t, event),
            correlationKey: key,
            exclusive: true,
            trigger: triggerOf(event, t),
            temporalWorkflowId: ownId,
          },
        );
  if (res.outcome !== 'live') {
    out.started.push({ triggerId: t.trigger_id, workflowId: res.workflowId, started: res.started });
  } else if (t.on_running === 'skip') {
    out.skipped.push({ triggerId: t.trigger_id, reason: `running: ${res.liveWorkflowIds.join(', ')}` });
  } else {
    for (const wf of res.liveWorkflowIds)
      await temporal.workflow.getHandle(wf).signal(aosEventSignal, toEnvelope(event));
    out.signalled.push(...res.liveWorkflowIds.map((wf) => ({ workflowId: wf, triggerId: t.trigger_id })));
  }
}

/** Applies every matching trigger to the event. */
export async function routeToTriggers(deps: TriggerRoutingDeps, event: StoredEvent, out: RoutingResult): Promise<void> {
  const { db, temporal } = deps;
  for (const t of await findTriggers(db, event.pattern)) {
    if (t.event_condition && !(await evalOrFail(t.event_condition, event, 'condition', t))) {
      out.skipped.push({ triggerId: t.trigger_id, reason: 'condition false' });
      continue;
    }
    const rawKey = t.correlation_key ? await evalOrFail(t.correlation_key, event, 'correlation key', t) : undefined;
    const key = rawKey === undefined || rawKey === null ? undefined : String(rawKey);
    const ownId = `trg:${t.trigger_id}:${event.eventId}`;
    if (t.trigger_type === 'CANCEL') {
      if (key === undefined) {
        out.skipped.push({ triggerId: t.trigger_id, reason: 'no correlation key' });
        continue;
      }
      for (const wf of await liveRunIds(db, t.definition_workflow_id, key)) {
        try {
          await temporal.workflow.getHandle(wf).cancel();
          out.cancelled.push({ triggerId: t.trigger_id, workflowId: wf });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      continue;
    }
    if (key !== undefined && t.on_running !== 'start') {
      await startUnlessLive(deps, t, event, key, ownId, out);
      continue;
    }
    const res = await startRun(
      { db, temporal, config: deps.config },
      {
        workflowId: t.definition_workflow_id,
        input: await mappedInput(t, event),
        ...(key !== undefined && { correlationKey: key }),
        trigger: triggerOf(event, t),
        temporalWorkflowId: ownId,
      },
    );
    out.started.push({ triggerId: t.trigger_id, workflowId: res.workflowId, started: res.started });
  }
}
