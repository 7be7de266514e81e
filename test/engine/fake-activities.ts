/**
 * Local implementations of the interpreter's activities for engine tests and replay recording.
 * Task types: noop, echo, transform (JSONata), code with handlers `flaky`, `reject`, `slow`, `record`.
 * They record what happened so tests can assert on attempts, timings, cancellations and mirror writes.
 */
import { Context, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import jsonata from 'jsonata';
import type { ResolvedDefinition } from '../../common/contracts/definitions';
import type { HumanTaskChange } from '../../common/contracts/human-tasks';
import type { MirrorWorkflowUpdate } from '../../common/contracts/mirror';
import type { RunTaskRequest } from '../../common/contracts/tasks';
import type { InterpreterActivities, RegisterSubscriptionRequest } from '../../common/definitions/activity-types';
import type { EventEnvelope } from '../../common/definitions/types';

/** Everything the fakes observed. */
export interface FakeLog {
  attempts: Array<{ stepPath: string; attempt: number; at: number; workflowId: string }>;
  records: Array<{ workflowId: string; value: unknown }>;
  cancelled: string[];
  emitted: Array<{ pattern: string; payload: unknown; eventId: string; workflowId: string }>;
  subscriptions: Array<RegisterSubscriptionRequest & { subscriptionId: string }>;
  closed: Array<{ subscriptionId: string; status: string; eventId?: string }>;
  mirror: MirrorWorkflowUpdate[];
  /** Human task writes: `opened <taskId>` and every recorded change. */
  humanTasks: Array<{ opened: string } | HumanTaskChange>;
  inFlight: number;
  maxInFlight: number;
}

/** Fake activities plus their log; `definitions` feeds resolveDefinition, `pending` the subscription look-back. */
export function createFakeActivities(
  definitions: Record<string, ResolvedDefinition> = {},
  pending: EventEnvelope[] = [],
): { activities: InterpreterActivities; log: FakeLog } {
  const log: FakeLog = {
    attempts: [],
    records: [],
    cancelled: [],
    emitted: [],
    subscriptions: [],
    closed: [],
    mirror: [],
    humanTasks: [],
    inFlight: 0,
    maxInFlight: 0,
  };
  let subscriptionCounter = 0;

  async function code(req: RunTaskRequest): Promise<unknown> {
    const { info } = Context.current();
    const config = req.task.config as { handler: string; failTimes?: number; errorType?: string; ms?: number };
    const input = req.input as Record<string, unknown> | undefined;
    switch (config.handler) {
      case 'flaky':
        if (info.attempt <= (config.failTimes ?? 2)) throw new Error(`transient failure ${info.attempt}`);
        return { attempts: info.attempt };
      case 'reject':
        throw ApplicationFailure.nonRetryable(`rejected: ${JSON.stringify(input)}`, config.errorType ?? 'Rejected', {
          input,
        });
      case 'slow': {
        log.inFlight += 1;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        try {
          await sleepWithHeartbeat(Number(input?.ms ?? config.ms ?? 100));
          return input ?? null;
        } catch (err) {
          if (err instanceof CancelledFailure) log.cancelled.push(req.ctx.stepPath);
          throw err;
        } finally {
          log.inFlight -= 1;
        }
      }
      case 'record':
        log.records.push({ workflowId: req.ctx.workflowId, value: req.input });
        return req.input;
      default:
        throw ApplicationFailure.nonRetryable(`no handler ${config.handler}`, 'UnknownHandler');
    }
  }

  const activities: InterpreterActivities = {
    async runTask(req) {
      log.attempts.push({
        stepPath: req.ctx.stepPath,
        attempt: Context.current().info.attempt,
        at: Date.now(),
        workflowId: req.ctx.workflowId,
      });
      switch (req.task.type) {
        case 'noop':
          return null;
        case 'echo':
          return req.input;
        case 'transform':
          return jsonata(String(req.task.config.expression)).evaluate(req.input);
        case 'code':
          return code(req);
        default:
          throw ApplicationFailure.nonRetryable(
            `task type ${req.task.type} not supported by the fakes`,
            'UnknownTaskType',
          );
      }
    },
    async resolveDefinition(req) {
      const found = definitions[`${req.workflow_id}@${req.version ?? 'latest'}`] ?? definitions[req.workflow_id];
      if (!found) throw ApplicationFailure.nonRetryable(`no definition ${req.workflow_id}`, 'NotFound');
      return found;
    },
    async emitEvent(req) {
      log.emitted.push({
        pattern: req.pattern,
        payload: req.payload,
        eventId: req.eventId,
        workflowId: req.ctx.workflowId,
      });
      return { eventId: req.eventId };
    },
    async registerSubscription(req) {
      const subscriptionId = `sub-${++subscriptionCounter}`;
      log.subscriptions.push({ ...req, subscriptionId });
      const match = pending.find(
        (e) =>
          e.pattern === req.pattern &&
          (req.correlation === undefined || e.metadata?.correlationKey === req.correlation),
      );
      return { subscriptionId, ...(match && { pendingEvent: match }) };
    },
    async closeSubscription(req) {
      log.closed.push(req);
    },
    async mirrorWorkflow(update) {
      log.mirror.push(update);
    },
    async nextActivation() {},
    // The task id is the step id (`ht-<stepId>`), so a scenario's driver can submit without reading a table.
    async openHumanTask(req) {
      const taskId = `ht-${req.ctx.stepId}`;
      log.humanTasks.push({ opened: taskId });
      return {
        taskId,
        componentId: req.form?.componentId ?? 'manual',
        version: '1.0.0',
        actions: ['approve', 'reject'],
      };
    },
    async recordHumanTask(change) {
      log.humanTasks.push(change);
    },
  };
  return { activities, log };
}

async function sleepWithHeartbeat(ms: number): Promise<void> {
  const ctx = Context.current();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    ctx.heartbeat();
    await Promise.race([ctx.sleep(Math.min(50, end - Date.now())), ctx.cancelled]);
  }
}
