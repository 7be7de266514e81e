/**
 * Representative definitions, one per step type and per error path. The engine tests assert on them and
 * the replay recorder (test/replay/record.ts) stores their histories as fixtures.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { ResolvedDefinition } from '../../common/contracts/definitions';
import type { InterpreterOptions, RedriveStart, WorkflowDefinition } from '../../common/definitions/types';
import type { HumanTaskSubmission } from '../../common/contracts/human-tasks';
import { aosEventSignal, aosStateQuery, humanTaskSubmitUpdate, pauseUpdate, resumeUpdate } from '../../workflows/api';
import { TEST_TASKS } from './tasks';

/** One run: a definition, its input, and optionally what the test does to the running workflow. */
export interface Scenario {
  definition: WorkflowDefinition;
  input?: unknown;
  correlationKey?: string;
  options?: InterpreterOptions;
  /** Started the way startRun starts: the starter mirrored the start (no start marker). */
  startMirrored?: boolean;
  /** Started as a redrive starts (services/runs/redrive.ts): at a step in progress, reusing finished executions. */
  redrive?: RedriveStart;
  /** Temporal priority key of the run (the definition's `priority`, as startRun and flow control pass it). */
  priority?: number;
  /** Acts on the run after start (signals, cancellation). */
  drive?: (handle: WorkflowHandle) => Promise<void>;
  /** `completed` unless the run is expected to fail or be cancelled. */
  ends?: 'completed' | 'failed' | 'cancelled';
}

export const def = (
  workflow_id: string,
  steps: WorkflowDefinition['steps'],
  extra: Partial<WorkflowDefinition> = {},
): WorkflowDefinition => ({
  workflow_id,
  name: workflow_id,
  version: '1.0.0',
  steps,
  ...extra,
});

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The child definition resolved by the sub_workflow scenario. */
export const CHILD_DEFINITIONS: Record<string, ResolvedDefinition> = {
  'child-double': {
    definitionRowId: '00000000-0000-4000-8000-00000000c41d',
    tasks: { double: TEST_TASKS.double },
    definition: def(
      'child-double',
      [
        { id: 'twice', type: 'task', task: 'double', input: { value: '{% $input.n %}' } },
        {
          id: 'done',
          type: 'succeed',
          output: { doubled: '{% $steps.twice.output.value %}', parent: '{% $workflow.correlationKey %}' },
        },
      ],
      { version: '2.1.0' },
    ),
  },
};

/** Waits until the run reports `waiting` (its human task is open). */
async function untilWaiting(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(aosStateQuery)).status === 'waiting') return;
    await sleepMs(50);
  }
  throw new Error('the run never waited');
}

/** Submits to the fake human task of step `stepId` (task id `ht-<stepId>`, see fake-activities.ts). */
function submitTo(handle: WorkflowHandle, stepId: string, submittedBy: string, action = 'approve') {
  const submission: HumanTaskSubmission = {
    taskId: `ht-${stepId}`,
    action,
    data: { note: `${action} by ${submittedBy}` },
    submittedBy,
    at: '2026-12-02T10:00:00.000Z',
  };
  return handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission] });
}

/** Scenarios by name (the name is also the replay fixture's file name). */
export const SCENARIOS: Record<string, Scenario> = {
  'task-data-flow': {
    input: {
      order: {
        id: 'o-1',
        lines: [
          { sku: 'a', qty: 2 },
          { sku: 'b', qty: 3 },
        ],
      },
    },
    correlationKey: 'cust-7',
    definition: def(
      'task-data-flow',
      [
        {
          id: 'prepare',
          type: 'set',
          vars: {
            count: '{% $count($input.order.lines) %}',
            label: 'order {% $input.order.id %} for {% $workflow.correlationKey %}',
          },
        },
        {
          id: 'call',
          type: 'task',
          task: 'echo',
          input: { qty: '{% $sum($input.order.lines.qty) %}', label: '{% $vars.label %}' },
          result_var: 'echoed',
        },
        {
          id: 'twice',
          type: 'task',
          task: 'double',
          input: { value: '{% $steps.call.output.qty %}' },
          output: '{% $output.value %}',
        },
      ],
      {
        output: {
          total: '{% $steps.twice.output %}',
          count: '{% $vars.count %}',
          label: '{% $vars.echoed.label %}',
          instance: '{% $workflow.instanceId %}',
        },
      },
    ),
  },
  switch: {
    input: { amount: 1500 },
    definition: def('switch', [
      {
        id: 'route',
        type: 'switch',
        cases: [
          { when: '{% $input.amount > 1000 %}', next: 'big' },
          { when: '{% $input.amount > 100 %}', next: 'medium' },
        ],
        default: 'small',
      },
      { id: 'big', type: 'succeed', output: 'big' },
      { id: 'medium', type: 'succeed', output: 'medium' },
      { id: 'small', type: 'succeed', output: 'small' },
    ]),
  },
  parallel: {
    input: { n: 4 },
    definition: def(
      'parallel',
      [
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            { id: 'left', steps: [{ id: 'l1', type: 'task', task: 'double', input: { value: '{% $input.n %}' } }] },
            {
              id: 'right',
              steps: [
                { id: 'r1', type: 'task', task: 'slow', input: { ms: 50, v: 1 } },
                { id: 'r2', type: 'task', task: 'echo', input: { got: '{% $steps.r1.output.v %}' } },
              ],
            },
          ],
        },
      ],
      { output: { left: '{% $steps.fan.output.left.value %}', right: '{% $steps.fan.output.right.got %}' } },
    ),
  },
  foreach: {
    input: { items: [1, 2, 3, 4, 5] },
    definition: def('foreach', [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        concurrency: 2,
        steps: [
          { id: 'work', type: 'task', task: 'slow', input: { ms: 100, v: '{% $item %}' } },
          {
            id: 'scale',
            type: 'task',
            task: 'double',
            input: { value: '{% $steps.work.output.v * 10 + $index %}' },
            output: '{% $output.value %}',
          },
        ],
      },
    ]),
  },
  'wait-for-event': {
    input: { invoiceId: 'inv-9' },
    options: { subscriptions: true },
    definition: def('wait-for-event', [
      { id: 'pause', type: 'delay', duration: '500ms' },
      {
        id: 'await',
        type: 'wait_for_event',
        event: 'invoice.*.reviewed',
        correlation: '{% $input.invoiceId %}',
        timeout: '30s',
      },
      {
        id: 'done',
        type: 'succeed',
        output: { decision: '{% $steps.await.output.decision %}', eventId: '{% $event.eventId %}' },
      },
    ]),
    // Sent while the run is still in `pause`: the buffer must keep them until the wait starts.
    drive: async (handle) => {
      await handle.signal(aosEventSignal, {
        eventId: 'e-other',
        pattern: 'invoice.eu.reviewed',
        payload: { decision: 'wrong' },
        metadata: { correlationKey: 'inv-1' },
      });
      await handle.signal(aosEventSignal, {
        eventId: 'e-1',
        pattern: 'invoice.eu.reviewed',
        payload: { decision: 'approve' },
        metadata: { correlationKey: 'inv-9' },
      });
      await handle.signal(aosEventSignal, {
        eventId: 'e-1',
        pattern: 'invoice.eu.reviewed',
        payload: { decision: 'duplicate' },
        metadata: { correlationKey: 'inv-9' },
      });
    },
  },
  'wait-for-signal': {
    input: { invoiceId: 'inv-3' },
    definition: def(
      'wait-for-signal',
      [
        {
          id: 'await',
          type: 'wait_for_event',
          event: 'invoice.**',
          correlation: '{% $input.invoiceId %}',
          timeout: '30s',
        },
      ],
      { output: '{% $event.payload %}' },
    ),
    // Sent once the run is waiting: exercises the subscription, the waiting mirror writes and AosCurrentStep.
    drive: async (handle) => {
      await sleepMs(1500);
      await handle.signal(aosEventSignal, {
        eventId: 'e-3',
        pattern: 'invoice.us.reviewed',
        payload: { decision: 'approve' },
        metadata: { correlationKey: 'inv-3' },
      });
    },
  },
  'wait-timeout': {
    definition: def('wait-timeout', [
      { id: 'await', type: 'wait_for_event', event: 'never.**', timeout: '300ms', on_timeout: 'late' },
      { id: 'ontime', type: 'succeed', output: 'on time' },
      { id: 'late', type: 'succeed', output: 'timed out' },
    ]),
  },
  delay: {
    definition: def(
      'delay',
      [
        { id: 'short', type: 'delay', duration: '200ms' },
        { id: 'until', type: 'delay', until: '{% $fromMillis($millis() + 200) %}' },
      ],
      { output: 'slept' },
    ),
  },
  // Expression clock and randomness: JSONata is preloaded (shared by every run), yet reads the run's own clock.
  'sandbox-clock': {
    // No mirror: its local activity would add a workflow task step whose time the test would have to read too.
    options: { mirror: false },
    definition: def(
      'sandbox-clock',
      [
        { id: 'before', type: 'set', vars: { t0: '{% $millis() %}', now: '{% $now() %}', r: '{% $random() %}' } },
        { id: 'nap', type: 'delay', duration: '300ms' },
        { id: 'after', type: 'set', vars: { t1: '{% $millis() %}' } },
      ],
      { output: '{% $vars %}' },
    ),
  },
  // task-data-flow as startRun starts it: the starter mirrors the start, the run writes only its end.
  'starter-mirrored': {
    startMirrored: true,
    correlationKey: 'cust-7',
    definition: def(
      'starter-mirrored',
      [
        { id: 'double', type: 'task', task: 'double', input: { value: 2 }, output: '{% $output.value %}' },
        { id: 'note', type: 'set', vars: { doubled: '{% $steps.double.output %}' } },
      ],
      { output: '{% $vars.doubled %}' },
    ),
  },
  // A definition under flow control (#15), started as a promoted queued start is: starter-mirrored, with its
  // priority key. The limit itself lives outside the workflow (services/runs/flow-control.ts), so the run's
  // history is that of any run; the fixture pins that a definition carrying `concurrency` and `priority` replays.
  limited: {
    startMirrored: true,
    priority: 2,
    input: { customer: 'c-1', value: 4 },
    definition: def(
      'limited',
      [
        { id: 'double', type: 'task', task: 'double', input: { value: '{% $input.value %}' } },
        { id: 'hold', type: 'delay', duration: '100ms' },
      ],
      {
        concurrency: { limit: 2, key: '{% $input.customer %}', when_full: 'queue' },
        priority: 2,
        output: '{% $steps.double.output %}',
      },
    ),
  },
  // The definition's vars are evaluated at start ($input, $workflow); a set step assigns simultaneously (a swap).
  'evaluated-vars': {
    startMirrored: true,
    input: { a: 1, b: 2 },
    definition: def(
      'evaluated-vars',
      [{ id: 'swap', type: 'set', vars: { a: '{% $vars.b %}', b: '{% $vars.a %}', sum: '{% $vars.a + $vars.b %}' } }],
      {
        vars: { a: '{% $input.a %}', b: '{% $input.b %}', who: 'run of {% $workflow.definitionId %}', n: 0 },
        output: '{% $vars %}',
      },
    ),
  },
  'sub-workflow': {
    input: { n: 21 },
    correlationKey: 'parent-key',
    definition: def(
      'sub-workflow',
      [{ id: 'child', type: 'sub_workflow', workflow: 'child-double', input: { n: '{% $input.n %}' } }],
      { output: '{% $steps.child.output %}' },
    ),
  },
  'sub-workflow-repeat': {
    input: { n: 1 },
    definition: def(
      'sub-workflow-repeat',
      [
        {
          id: 'child',
          type: 'sub_workflow',
          workflow: 'child-double',
          input: { n: '{% $input.n + $count($vars.outs) %}' },
        },
        { id: 'collect', type: 'set', vars: { outs: '{% $append($vars.outs, [$steps.child.output.doubled]) %}' } },
        {
          id: 'again',
          type: 'switch',
          cases: [{ when: '{% $count($vars.outs) < 2 %}', next: 'child' }],
          default: 'end',
        },
        { id: 'end', type: 'succeed', output: '{% $vars.outs %}' },
      ],
      { vars: { outs: [] } },
    ),
  },
  // A small payload limit (the run's option), so kilobytes stand in for megabytes.
  'payload-too-large': {
    ends: 'failed',
    options: { payloadLimitBytes: 4096 },
    input: { blob: 'x'.repeat(3000) },
    definition: def(
      'payload-too-large',
      [
        {
          id: 'both',
          type: 'task',
          task: 'echo',
          input: { a: '{% $input.blob %}', b: '{% $input.blob %}' },
          catch: [{ errors: ['PayloadTooLarge'], next: 'one' }],
        },
        { id: 'one', type: 'task', task: 'echo', input: { a: '{% $input.blob %}' } },
      ],
      { output: '{% [$input.blob, $input.blob] %}' },
    ),
  },
  'human-task-waiting': {
    ends: 'cancelled',
    input: { amount: 40 },
    definition: def('human-task-waiting', [
      {
        id: 'review',
        type: 'human_task',
        form: { component_id: 'expense-approval' },
        title: 'Approve {% $input.amount %} EUR',
        candidate_roles: ['approvers'],
        prefill: { amount: '{% $input.amount %}' },
        due: 'P1D',
      },
    ]),
    // The run waits on the open task until it is cancelled: the task is withdrawn.
    drive: async (handle) => {
      await untilWaiting(handle);
      await handle.cancel();
    },
  },
  'human-task-completed': {
    input: { amount: 900, starter: 'alice' },
    definition: def(
      'human-task-completed',
      [
        {
          id: 'review',
          type: 'human_task',
          form: { component_id: 'expense-approval', version: '1.0.0' },
          title: 'Approve {% $input.amount %} EUR',
          assignee: 'alice',
          candidate_users: '{% ["bob", "carol"] %}',
          approvals: { required: 2, approve_action: 'approve', allow_starter: true },
          output: { ok: "{% $output.action = 'approve' %}", approvers: '{% $output.approvals.submitted_by %}' },
          result_var: 'review',
        },
      ],
      { output: '{% $vars.review %}' },
    ),
    // Two approvals complete it; the duplicate in between is refused by the validator (not in the history).
    drive: async (handle) => {
      await untilWaiting(handle);
      await submitTo(handle, 'review', 'bob');
      await submitTo(handle, 'review', 'bob').catch(() => undefined);
      await submitTo(handle, 'review', 'carol');
    },
  },
  'human-task-escalated': {
    input: { ref: 'r-9' },
    definition: def('human-task-escalated', [
      {
        id: 'review',
        type: 'human_task',
        form: { component_id: 'expense-approval' },
        title: 'Review {% $input.ref %}',
        assignee: 'alice',
        escalations: [
          { after: '1s', assign: { role: 'managers' } },
          { after: '2s', emit: { event: 'expense.overdue', payload: { ref: '{% $input.ref %}' } } },
          { after: '3s', goto: 'auto_reject' },
        ],
      },
      { id: 'approved', type: 'succeed', output: 'approved' },
      { id: 'auto_reject', type: 'succeed', output: { decision: 'auto-rejected', task: '{% $steps.review.output %}' } },
    ]),
  },
  // The due time passes while the task is open: `overdue` is recorded between the rule counted from the opening
  // and those counted from the due time; the task stays open until the last rule moves the run on.
  'human-task-overdue': {
    input: { ref: 'r-7' },
    definition: def('human-task-overdue', [
      {
        id: 'late_review',
        type: 'human_task',
        form: { component_id: 'expense-approval' },
        title: 'Review {% $input.ref %}',
        assignee: 'alice',
        due: '1s',
        escalations: [
          { after: '500ms', emit: { event: 'expense.reminder', payload: { ref: '{% $input.ref %}' } } },
          { after: '0s', from: 'due', assign: { role: 'managers' } },
          { after: '1s', from: 'due', goto: 'late' },
        ],
      },
      { id: 'approved', type: 'succeed', output: 'approved' },
      { id: 'late', type: 'succeed', output: { decision: 'late', task: '{% $steps.late_review.output %}' } },
    ]),
  },
  'emit-event': {
    input: { id: 'x-1' },
    definition: def(
      'emit-event',
      [{ id: 'announce', type: 'emit_event', event: 'order.shipped', payload: { id: '{% $input.id %}' } }],
      { output: '{% $steps.announce.output %}' },
    ),
  },
  fail: {
    ends: 'failed',
    input: { reason: 'limit' },
    definition: def('fail', [
      {
        id: 'stop',
        type: 'fail',
        error: 'LimitExceeded',
        message: 'over the {% $input.reason %}',
        details: { reason: '{% $input.reason %}' },
      },
    ]),
  },
  retry: {
    definition: def(
      'retry',
      [
        {
          id: 'call',
          type: 'task',
          task: 'flaky',
          retry: { max_attempts: 4, initial_interval: '200ms', backoff_coefficient: 2 },
        },
      ],
      { output: '{% $steps.call.output %}' },
    ),
  },
  catch: {
    input: { amount: 5 },
    definition: def('catch', [
      {
        id: 'post',
        type: 'task',
        task: 'reject',
        input: { amount: '{% $input.amount %}' },
        catch: [
          { errors: ['Other'], next: 'wrong' },
          { errors: ['LedgerRejected'], next: 'escalate', into: 'failure' },
        ],
      },
      { id: 'wrong', type: 'fail' },
      {
        id: 'escalate',
        type: 'succeed',
        output: { type: '{% $vars.failure.type %}', via: '{% $steps.post.error.type %}' },
      },
    ]),
  },
  // The expression budget and the platform's own functions: a runaway loop stops at the same step on replay
  // (caught), base64 works in the sandbox, and parallel branches evaluate non-plain expressions before their tasks.
  'expression-budget': {
    input: { n: 3, text: 'hé' },
    definition: def('expression-budget', [
      {
        id: 'loop',
        type: 'set',
        vars: { x: '{% ($f := function($n){ $f($n + 1) }; $f(0)) %}' },
        catch: [{ errors: ['ExpressionError'], next: 'fan', into: 'budget' }],
      },
      { id: 'unreached', type: 'fail' },
      {
        id: 'fan',
        type: 'parallel',
        branches: [
          {
            id: 'left',
            steps: [{ id: 'l1', type: 'task', task: 'double', input: { value: '{% $sum([1..$input.n]) %}' } }],
          },
          {
            id: 'right',
            steps: [{ id: 'r1', type: 'task', task: 'echo', input: { b64: '{% $base64encode($input.text) %}' } }],
          },
        ],
      },
      {
        id: 'done',
        type: 'succeed',
        output: {
          limit: '{% $vars.budget.details.limit %}',
          left: '{% $steps.fan.output.left %}',
          back: '{% $base64decode($steps.fan.output.right.b64) %}',
        },
      },
    ]),
  },
  'step-timeout': {
    definition: def('step-timeout', [
      { id: 'nap', type: 'delay', duration: '1h', timeout: '300ms', catch: [{ errors: ['Timeout'], next: 'call' }] },
      {
        id: 'call',
        type: 'task',
        task: 'slow',
        input: { ms: 5000 },
        timeout: '300ms',
        retry: { max_attempts: 1 },
        catch: [{ errors: ['*'], next: 'after' }],
      },
      {
        id: 'after',
        type: 'succeed',
        output: { nap: '{% $steps.nap.error.type %}', call: '{% $steps.call.error.type %}' },
      },
    ]),
  },
  // A test run's compressed clock (options.timeScale, #14): days of delays, timeouts, retry intervals and human-task
  // escalations pass in a second of real time, and the trail of steps and switch branches is recorded.
  'compressed-clock': {
    input: { ref: 'c-1' },
    options: { timeScale: 864_000, recordTrail: true },
    definition: def(
      'compressed-clock',
      [
        { id: 'nap', type: 'delay', duration: 'P1D' },
        {
          id: 'route',
          type: 'switch',
          cases: [{ when: '{% $input.ref = "c-1" %}', next: 'quiet' }],
          default: 'done',
        },
        { id: 'quiet', type: 'wait_for_event', event: 'never.happens', timeout: 'P2D', on_timeout: 'call' },
        { id: 'call', type: 'task', task: 'flaky', retry: { max_attempts: 4, initial_interval: 'PT1H' } },
        {
          id: 'review',
          type: 'human_task',
          form: { component_id: 'expense-approval' },
          title: 'Review {% $input.ref %}',
          assignee: 'alice',
          due: 'P1D',
          escalations: [{ after: 'P2D', goto: 'done' }],
        },
        { id: 'done', type: 'succeed', output: '{% $steps.call.output %}' },
      ],
      { timeout: 'P365D' },
    ),
  },
  'workflow-timeout': {
    ends: 'failed',
    definition: def('workflow-timeout', [{ id: 'nap', type: 'delay', duration: '1h' }], { timeout: '500ms' }),
  },
  cancellation: {
    ends: 'cancelled',
    definition: def('cancellation', [
      { id: 'reserve', type: 'task', task: 'record', input: 'reserved' },
      {
        id: 'long',
        type: 'task',
        task: 'slow',
        input: { ms: 30000 },
        catch: [{ errors: ['Cancelled'], next: 'undo' }],
      },
      { id: 'never', type: 'succeed' },
      { id: 'undo', type: 'task', task: 'record', input: 'released {% $steps.reserve.output %}' },
    ]),
    drive: async (handle) => {
      await sleepMs(1000);
      await handle.cancel();
    },
  },
  // Waits for several events (#16): all of two patterns (one early, one late, an unrelated one ignored), then any
  // of two (the loser's subscription closed), then collecting until a closing event.
  'multi-event-wait': {
    input: { order: 'o-1' },
    options: { subscriptions: true },
    definition: def('multi-event-wait', [
      { id: 'pause', type: 'delay', duration: '300ms' },
      {
        id: 'both',
        type: 'wait_for_event',
        mode: 'all',
        events: [
          { id: 'paid', event: 'order.paid', correlation: '{% $input.order %}' },
          { id: 'packed', event: 'order.packed', correlation: '{% $input.order %}' },
        ],
        timeout: '30s',
      },
      {
        id: 'either',
        type: 'wait_for_event',
        events: [
          { id: 'shipped', event: 'order.shipped', correlation: '{% $input.order %}' },
          { id: 'lost', event: 'order.lost', correlation: '{% $input.order %}' },
        ],
        timeout: '30s',
      },
      {
        id: 'scans',
        type: 'wait_for_event',
        events: [{ id: 'scan', event: 'parcel.scanned', correlation: '{% $input.order %}' }],
        until: { event: 'parcel.delivered', correlation: '{% $input.order %}' },
        timeout: '30s',
      },
      {
        id: 'done',
        type: 'succeed',
        output: {
          both: '{% $steps.both.output.received %}',
          either: '{% $keys($steps.either.output.received) %}',
          scans: '{% $count($steps.scans.output.events) %}',
        },
      },
    ]),
    drive: async (handle) => {
      const send = (eventId: string, pattern: string, order = 'o-1') =>
        handle.signal(aosEventSignal, { eventId, pattern, payload: { eventId }, metadata: { correlationKey: order } });
      await send('p-1', 'order.packed'); // early: buffered until the wait starts
      await send('x-1', 'order.paid', 'o-2'); // another order's
      await sleepMs(1200);
      await send('p-2', 'order.paid');
      await sleepMs(500);
      await send('s-1', 'order.shipped');
      await sleepMs(500);
      await send('c-1', 'parcel.scanned');
      await send('c-2', 'parcel.scanned');
      await send('d-1', 'parcel.delivered');
    },
  },
  // A race (#16): the fast branch wins; the slow one is cancelled and its catch for Cancelled compensates.
  race: {
    definition: def('race', [
      {
        id: 'first',
        type: 'parallel',
        mode: 'race',
        branches: [
          {
            id: 'slow',
            steps: [
              {
                id: 'long',
                type: 'task',
                task: 'slow',
                input: { ms: 30000 },
                catch: [{ errors: ['Cancelled'], next: 'undo' }],
              },
              { id: 'undo', type: 'task', task: 'record', input: 'compensated' },
            ],
          },
          {
            id: 'fast',
            steps: [
              { id: 'nap', type: 'delay', duration: '300ms' },
              { id: 'done', type: 'set', vars: { winner: 'fast' } },
            ],
          },
        ],
      },
      { id: 'after', type: 'succeed', output: '{% $steps.first.output %}' },
    ]),
  },
  // Block limits: more steps than one activation may run (the interpreter yields), concurrency 0 (lanes from the
  // run's budget), a parallel charging the budget, and a foreach over too many items caught as LimitExceeded.
  'block-limits': {
    definition: def('block-limits', [
      {
        id: 'many',
        type: 'foreach',
        items: '{% [1..250] %}',
        concurrency: 0,
        steps: [{ id: 'put', type: 'set', vars: { last: '{% $item %}' } }],
      },
      {
        id: 'fan',
        type: 'parallel',
        branches: [
          {
            id: 'a',
            steps: [
              {
                id: 'inner',
                type: 'foreach',
                items: '{% [1..3] %}',
                concurrency: 0,
                steps: [{ id: 'a1', type: 'task', task: 'echo', input: '{% $item %}' }],
              },
            ],
          },
          { id: 'b', steps: [{ id: 'b1', type: 'task', task: 'echo', input: 'b' }] },
        ],
      },
      {
        id: 'huge',
        type: 'foreach',
        items: '{% [1..2001] %}',
        steps: [{ id: 'never', type: 'task', task: 'echo' }],
        catch: [{ errors: ['LimitExceeded'], next: 'done', into: 'limit' }],
      },
      {
        id: 'done',
        type: 'succeed',
        output: {
          count: '{% $count($steps.many.output) %}',
          fan: '{% $steps.fan.output %}',
          limit: '{% $vars.limit.type %}',
        },
      },
    ]),
  },
  // Paused while `a` runs: `a` finishes, `b` is held until the resume (workflows/pause.ts).
  paused: {
    definition: def('paused', [
      { id: 'a', type: 'task', task: 'slow', input: { ms: 800 } },
      { id: 'b', type: 'task', task: 'echo', input: '{% $steps.a.output %}' },
    ]),
    drive: async (handle) => {
      await sleepMs(300);
      await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'replay fixture', by: 'ops' }] });
      await sleepMs(1500);
      if ((await handle.query(aosStateQuery)).status !== 'paused') throw new Error('the run is not paused');
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'ops' }] });
    },
  },
  // Paused while its human task is open: the submission is accepted, the next step waits for the resume.
  'human-task-paused': {
    definition: def('human-task-paused', [
      {
        id: 'review',
        type: 'human_task',
        form: { component_id: 'expense-approval', version: '1.0.0' },
        title: 'Review',
        assignee: 'alice',
      },
      { id: 'after', type: 'task', task: 'echo', input: '{% $steps.review.output.action %}' },
    ]),
    drive: async (handle) => {
      await untilWaiting(handle);
      await handle.executeUpdate(pauseUpdate, { args: [{ by: 'ops' }] });
      await submitTo(handle, 'review', 'alice');
      await sleepMs(500);
      const state = await handle.query(aosStateQuery);
      if (state.status !== 'paused' || state.currentSteps.length > 0) throw new Error('the next step started');
      await handle.executeUpdate(resumeUpdate, { args: [{ by: 'ops' }] });
    },
  },
  // Fails for good: the on_failure handler starts `child-double` as an abandoned child before the run ends.
  'on-failure': {
    ends: 'failed',
    input: { n: 4 },
    definition: def('on-failure', [{ id: 'stop', type: 'fail', error: 'Broken', message: 'broke at {% $input.n %}' }], {
      on_failure: {
        type: 'sub_workflow',
        workflow: 'child-double',
        input: { n: '{% $input.n %}', why: '{% $failure %}' },
      },
    }),
  },
  // The event form of on_failure.
  'on-failure-emit': {
    ends: 'failed',
    definition: def('on-failure-emit', [{ id: 'stop', type: 'fail', error: 'Broken', message: 'broke' }], {
      on_failure: { type: 'emit_event', event: 'flow.failed', payload: { message: '{% $failure.message %}' } },
    }),
  },
  'continue-as-new': {
    options: { continueAsNewAfterEvents: 40 },
    definition: def('continue-as-new', [
      { id: 'init', type: 'set', vars: { i: 0, sum: 0 } },
      { id: 'work', type: 'task', task: 'echo', input: '{% $vars.i %}' },
      { id: 'add', type: 'set', vars: { i: '{% $vars.i + 1 %}', sum: '{% $vars.sum + $steps.work.output %}' } },
      { id: 'loop', type: 'switch', cases: [{ when: '{% $vars.i < 12 %}', next: 'work' }], default: 'done' },
      { id: 'done', type: 'succeed', output: { i: '{% $vars.i %}', sum: '{% $vars.sum %}' } },
    ]),
  },
  // A redrive of a run that failed inside `fan`: the left branch and foreach iterations 0 and 2 had finished
  // (reused from the journal, no activity), iteration 1 runs again; `first` is not run (position 1).
  redriven: {
    startMirrored: true,
    redrive: {
      position: 1,
      vars: { base: 4 },
      stepOutputs: { first: { output: { base: 4 } } },
      completedSteps: ['first'],
      bufferedEvents: [],
      seenEventIds: [],
      lastOutput: { base: 4 },
      reuse: {
        'fan.left.l1#1': { record: { output: { value: 8 } } },
        'fan.left.l2#1': { record: { output: { got: 8 } } },
        'fan.right.each.i0.work#1': { record: { output: { value: 2 } } },
        'fan.right.each.i2.work#1': { record: { output: { value: 6 } } },
      },
    },
    definition: def(
      'redriven',
      [
        { id: 'first', type: 'set', vars: { base: '{% $error("first must not run again") %}' } },
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            {
              id: 'left',
              steps: [
                { id: 'l1', type: 'task', task: 'double', input: { value: '{% $vars.base %}' } },
                { id: 'l2', type: 'task', task: 'echo', input: { got: '{% $steps.l1.output.value %}' } },
              ],
            },
            {
              id: 'right',
              steps: [
                {
                  id: 'each',
                  type: 'foreach',
                  items: '{% [1, 2, 3] %}',
                  steps: [{ id: 'work', type: 'task', task: 'double', input: { value: '{% $item %}' } }],
                },
              ],
            },
          ],
        },
      ],
      {
        output: {
          left: '{% $steps.fan.output.left %}',
          right: '{% $steps.fan.output.right %}',
          base: '{% $vars.base %}',
        },
      },
    ),
  },
  // A task with a priority (the activity's priority key) and limits (held by the activity, not the workflow).
  'task-priority': {
    definition: def('task-priority', [
      { id: 'urgent', type: 'task', task: 'urgent', input: { n: 1 } },
      { id: 'plain', type: 'task', task: 'echo', input: '{% $steps.urgent.output %}' },
    ]),
  },
};
