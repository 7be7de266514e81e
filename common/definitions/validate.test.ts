import { validateDefinition, validateTaskDefinition } from './validate';
import type { WorkflowDefinition } from './types';

const base = (steps: unknown[], extra: Record<string, unknown> = {}): unknown => ({
  workflow_id: 'wf',
  name: 'WF',
  version: '1.0.0',
  steps,
  ...extra,
});
const codes = (errors: { code: string; pointer: string }[]): string[] => errors.map((e) => `${e.code} ${e.pointer}`);

describe('validateDefinition', () => {
  it('accepts the design sketch (every step type used correctly)', () => {
    const doc: WorkflowDefinition = {
      workflow_id: 'invoice-approval',
      name: 'Invoice approval',
      version: '1.0.0',
      input_schema: { type: 'object', required: ['invoice'] },
      timeout: 'P7D',
      steps: [
        { id: 'validate', type: 'task', task: 'validate-invoice', input: { invoice: '{% $input.invoice %}' } },
        {
          id: 'route',
          type: 'switch',
          cases: [{ when: '{% $steps.validate.output.total > 1000 %}', next: 'await-review' }],
          default: 'fan',
        },
        {
          id: 'await-review',
          type: 'wait_for_event',
          event: 'invoice.reviewed',
          correlation: '{% $input.invoice.id %}',
          timeout: 'P3D',
          on_timeout: 'escalate',
          next: 'fan',
        },
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            { id: 'a', steps: [{ id: 'a1', type: 'delay', duration: '1s' }] },
            { id: 'b', steps: [{ id: 'b1', type: 'set', vars: { x: 1 } }] },
          ],
        },
        {
          id: 'each',
          type: 'foreach',
          items: '{% $input.lines %}',
          concurrency: 2,
          steps: [{ id: 'line', type: 'task', task: 'post-to-ledger', input: '{% $item %}' }],
        },
        { id: 'child', type: 'sub_workflow', workflow: 'archive', version: '1.2.0' },
        {
          id: 'post',
          type: 'task',
          task: 'post-to-ledger',
          retry: { max_attempts: 5, initial_interval: '1s', backoff_coefficient: 2 },
          catch: [{ errors: ['LedgerRejected'], next: 'escalate' }],
          next: 'done',
        },
        {
          id: 'escalate',
          type: 'emit_event',
          event: 'invoice.escalated',
          payload: { id: '{% $input.invoice.id %}' },
          next: 'failed',
        },
        { id: 'done', type: 'succeed', output: { posted: true } },
        { id: 'failed', type: 'fail', error: 'Escalated', message: 'needs a human' },
      ],
    };
    expect(validateDefinition(doc, { knownTasks: new Set(['validate-invoice', 'post-to-ledger']) })).toEqual([]);
  });

  it('reports schema errors with pointers: missing fields, unknown properties, bad types', () => {
    const errors = validateDefinition({
      name: 3,
      version: 'one',
      steps: [
        { id: 'a', type: 'task', nxt: 'b' },
        { id: 'b', type: 'teleport' },
      ],
    });
    expect(codes(errors)).toEqual(
      expect.arrayContaining([
        'schema.required /workflow_id',
        'schema.type /name',
        'schema.pattern /version',
        'schema.required /steps/0/task',
        'schema.additionalProperties /steps/0/nxt',
        'schema.enum /steps/1/type',
      ]),
    );
  });

  it('reports duplicate step ids across nested blocks', () => {
    const errors = validateDefinition(
      base([
        { id: 'a', type: 'set', vars: { x: 1 } },
        { id: 'p', type: 'parallel', branches: [{ id: 'b1', steps: [{ id: 'a', type: 'set', vars: { y: 1 } }] }] },
      ]),
    );
    expect(codes(errors)).toEqual(['duplicate_step_id /steps/1/branches/0/steps/0/id']);
  });

  it('reports a catch when that is not an expression or does not parse, with its pointer', () => {
    const errors = validateDefinition(
      base([
        {
          id: 'a',
          type: 'set',
          vars: { a: 1 },
          catch: [
            { errors: ['E'], when: '{% $error.status = %}', next: 'b' },
            { errors: ['E'], when: 'status is 404', next: 'b' },
            { errors: ['E'], when: '{% $error.status = 404 %}', next: 'b' },
          ],
        },
        { id: 'b', type: 'succeed' },
      ]),
    );
    expect(codes(errors).sort()).toEqual([
      'invalid_expression /steps/0/catch/0/when',
      'schema.pattern /steps/0/catch/1/when',
    ]);
  });

  it('reports unknown next, default, on_timeout and catch targets, including targets in another list', () => {
    const errors = validateDefinition(
      base([
        { id: 's', type: 'switch', cases: [{ when: '{% true %}', next: 'nowhere' }], default: 'inner' },
        {
          id: 'w',
          type: 'wait_for_event',
          event: 'x.y',
          timeout: '1m',
          on_timeout: 'gone',
          catch: [{ errors: ['*'], next: 'lost' }],
          next: 'missing',
        },
        { id: 'f', type: 'foreach', items: [1], steps: [{ id: 'inner', type: 'set', vars: { a: 1 } }] },
      ]),
    );
    expect(codes(errors)).toEqual(
      expect.arrayContaining([
        'unknown_target /steps/0/cases/0/next',
        'unknown_target /steps/0/default',
        'unknown_target /steps/1/on_timeout',
        'unknown_target /steps/1/catch/0/next',
        'unknown_target /steps/1/next',
      ]),
    );
  });

  it('reports unknown task references with a set or a predicate', () => {
    const doc = base([
      { id: 't', type: 'task', task: 'ghost' },
      { id: 'u', type: 'task', task: 'real' },
    ]);
    expect(codes(validateDefinition(doc, { knownTasks: new Set(['real']) }))).toEqual(['unknown_task /steps/0/task']);
    expect(codes(validateDefinition(doc, { knownTasks: (id) => id === 'ghost' }))).toEqual([
      'unknown_task /steps/1/task',
    ]);
    expect(validateDefinition(doc)).toEqual([]);
  });

  it('refuses a task step naming a manual task, pinned or not', () => {
    const doc = base([
      { id: 't', type: 'task', task: 'approve' },
      { id: 'u', type: 'task', task: 'mixed@2.0.0' },
      { id: 'v', type: 'task', task: 'mixed' },
    ]);
    const manual = new Set(['approve', 'approve@1.0.0', 'mixed@2.0.0']);
    const errors = validateDefinition(doc, { knownTasks: () => true, manualTasks: (ref) => manual.has(ref) });
    expect(codes(errors)).toEqual(['manual_task_in_task_step /steps/0/task', 'manual_task_in_task_step /steps/1/task']);
    expect(errors[0].message).toMatch(/human_task step/);
  });

  it('reports unparsable JSONata anywhere in step values and the workflow output', () => {
    const errors = validateDefinition(
      base(
        [
          { id: 't', type: 'task', task: 'x', input: { a: ['ok', 'pre {% $input.( %} post'] } },
          { id: 's', type: 'switch', cases: [{ when: '{% 1 + %}', next: 't' }], default: 't' },
        ],
        { output: '{% $steps.t.output[ %}' },
      ),
    );
    expect(codes(errors)).toEqual(
      expect.arrayContaining([
        'invalid_expression /steps/0/input/a/1',
        'invalid_expression /steps/1/cases/0/when',
        'invalid_expression /output',
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it('refuses expressions in names used as written: fail error types, catch and retry error names, task and child ids', () => {
    const errors = validateDefinition(
      base([
        {
          id: 't',
          type: 'task',
          task: '{% $input.task %}',
          retry: { non_retryable_errors: ['Fatal', '{% $input.e %}'] },
          catch: [{ errors: ['{% "E" & $input.x %}'], next: 'f' }],
        },
        { id: 'c', type: 'sub_workflow', workflow: '{% $input.child %}', version: '{% $input.v %}' },
        {
          id: 'f',
          type: 'fail',
          error: '{% "E" & $input.x %}',
          message: 'bad {% $input.x %}',
          details: { x: '{% $input.x %}' },
        },
      ]),
    );
    expect(codes(errors)).toEqual([
      'expression_not_allowed /steps/0/task',
      'expression_not_allowed /steps/0/catch/0/errors/0',
      'expression_not_allowed /steps/0/retry/non_retryable_errors/1',
      'expression_not_allowed /steps/1/workflow',
      'expression_not_allowed /steps/1/version',
      'expression_not_allowed /steps/2/error',
    ]);
    expect(errors.find((e) => e.pointer === '/steps/2/error')?.message).toMatch(/error type a catch matches on/);
  });

  it('accepts top-level vars reading $input and $workflow, and refuses those reading what does not exist before the first step', () => {
    const ok = base([{ id: 'a', type: 'succeed' }], {
      vars: { n: 0, who: '{% $input.customer %}', id: 'run {% $workflow.id %}', f: '{% ($x := $input.a; $x + 1) %}' },
    });
    expect(validateDefinition(ok)).toEqual([]);
    const bad = base([{ id: 'a', type: 'succeed' }], {
      vars: { m: '{% $vars.n + 1 %}', deep: { list: ['{% $steps.a.output %}'] } },
    });
    const errors = validateDefinition(bad);
    expect(codes(errors)).toEqual(['unavailable_variable /vars/m', 'unavailable_variable /vars/deep/list/0']);
    expect(errors[0].message).toMatch(/only \$input and \$workflow .*not \$vars/);
  });

  it('reports unreachable steps after a step that always jumps, a succeed or a fail', () => {
    const errors = validateDefinition(
      base([
        { id: 'a', type: 'set', vars: { x: 1 }, next: 'c' },
        { id: 'b', type: 'set', vars: { x: 2 } },
        { id: 'c', type: 'succeed' },
        { id: 'd', type: 'fail' },
      ]),
    );
    expect(codes(errors)).toEqual(['unreachable_step /steps/1', 'unreachable_step /steps/3']);
  });

  it('treats catch and on_timeout targets and loops as reachable', () => {
    const errors = validateDefinition(
      base([
        { id: 'a', type: 'task', task: 't', catch: [{ errors: ['*'], next: 'handler' }], next: 'loop' },
        { id: 'handler', type: 'fail' },
        { id: 'loop', type: 'switch', cases: [{ when: '{% $vars.n < 3 %}', next: 'a' }], default: 'end' },
        { id: 'end', type: 'succeed' },
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('reports a switch without a way out', () => {
    expect(codes(validateDefinition(base([{ id: 's', type: 'switch', cases: [] }])))).toEqual([
      'switch_no_way_out /steps/0/cases',
    ]);
  });

  it('reports input and output schemas that are not valid JSON Schemas', () => {
    const errors = validateDefinition(
      base([{ id: 'a', type: 'succeed' }], { input_schema: { type: 'banana' }, output_schema: { required: 'x' } }),
    );
    expect(codes(errors)).toEqual(['invalid_json_schema /input_schema', 'invalid_json_schema /output_schema']);
  });

  it('reports bad durations', () => {
    const errors = validateDefinition(base([{ id: 'd', type: 'delay', duration: '10 parsecs' }], { timeout: 'P1Y' }));
    expect(codes(errors)).toEqual(
      expect.arrayContaining(['invalid_duration /timeout', 'invalid_duration /steps/0/duration']),
    );
  });

  it('accepts per-step activity timeouts on task steps and reports bad ones', () => {
    const ok = base([
      {
        id: 't',
        type: 'task',
        task: 'x',
        timeout: '30s',
        timeouts: { heartbeat: '5s', schedule_to_close: '10m', start_to_close: '1m' },
      },
    ]);
    expect(validateDefinition(ok, { knownTasks: new Set(['x']) })).toEqual([]);
    const bad = base([{ id: 't', type: 'task', task: 'x', timeouts: { heartbeat: '5 parsecs' } }]);
    expect(codes(validateDefinition(bad, { knownTasks: new Set(['x']) }))).toContain(
      'invalid_duration /steps/0/timeouts/heartbeat',
    );
    const unknown = base([{ id: 't', type: 'task', task: 'x', timeouts: { forever: '1s' } }]);
    expect(validateDefinition(unknown, { knownTasks: new Set(['x']) }).length).toBeGreaterThan(0);
  });

  it('returns every error at once, not the first one', () => {
    const errors = validateDefinition(
      base([
        { id: 'a', type: 'task', task: 'ghost', next: 'zzz' },
        { id: 'a', type: 'switch', cases: [] },
      ]),
      { knownTasks: new Set() },
    );
    expect(codes(errors).sort()).toEqual([
      'duplicate_step_id /steps/1/id',
      'switch_no_way_out /steps/1/cases',
      'unknown_target /steps/0/next',
      'unknown_task /steps/0/task',
      'unreachable_step /steps/1',
    ]);
  });

  it('does not throw on garbage', () => {
    for (const doc of [null, 42, 'x', [], { steps: 'no' }, { steps: [null, 1, { id: 5 }] }]) {
      expect(validateDefinition(doc).length).toBeGreaterThan(0);
    }
  });
});

describe('human_task', () => {
  const task = (extra: Record<string, unknown>) => ({
    id: 'review',
    type: 'human_task',
    form: { component_id: 'expense-approval' },
    title: 'Review {% $input.id %}',
    assignee: 'alice',
    ...extra,
  });

  it('accepts a complete step (assignment expressions, escalations with a goto, approvals, output)', () => {
    const doc = base([
      task({
        form: { component_id: 'expense-approval', version: '1.0.0' },
        description: 'For {% $input.employee %}',
        assignee: '{% $input.manager %}',
        candidate_users: ['bob'],
        candidate_roles: '{% $input.roles %}',
        prefill: { amount: '{% $input.amount %}' },
        due: 'P2D',
        escalations: [
          { after: 'PT4H', assign: { user: 'boss' } },
          { after: 'PT4H', assign: { role: 'managers' } },
          { after: 'P1D', emit: { event: 'expense.overdue', payload: { id: '{% $input.id %}' } } },
          { after: 'P2D', goto: 'auto' },
        ],
        approvals: { required: 2, approve_action: 'approve', allow_starter: false },
        output: { ok: "{% $output.action = 'approve' %}" },
        result_var: 'review',
      }),
      { id: 'done', type: 'succeed' },
      { id: 'auto', type: 'fail', error: 'AutoRejected' },
    ]);
    expect(validateDefinition(doc)).toEqual([]);
    expect(validateDefinition(base([task({ form: undefined, task: 'manual-review@1.0.0' })]))).toEqual([]);
  });

  it('needs form xor task and someone to do it', () => {
    expect(codes(validateDefinition(base([task({ form: undefined, assignee: undefined })])))).toEqual([
      'human_task_no_form /steps/0',
      'human_task_no_assignment /steps/0',
    ]);
    expect(codes(validateDefinition(base([task({ task: 'manual-review' })])))).toEqual([
      'human_task_form_and_task /steps/0/task',
    ]);
    expect(codes(validateDefinition(base([task({ form: undefined, task: '{% $input.t %}' })])))).toEqual([
      'expression_not_allowed /steps/0/task',
    ]);
  });

  it('checks escalations: one action each, one assignee kind, ordered durations, goto targets', () => {
    const errors = validateDefinition(
      base([
        task({
          due: 'soon',
          escalations: [
            { after: 'P1D', assign: { user: 'a', role: 'b' } },
            { after: 'PT1H', goto: 'nowhere' },
            { after: 'P2D' },
            { after: 'P3D', goto: 'x', emit: { event: 'a.b' } },
          ],
        }),
      ]),
    );
    expect(codes(errors)).toEqual(
      expect.arrayContaining([
        'unknown_target /steps/0/escalations/1/goto',
        'invalid_duration /steps/0/due',
        'escalation_assign /steps/0/escalations/0/assign',
        'escalation_order /steps/0/escalations/1/after',
        'escalation_action /steps/0/escalations/2',
        'escalation_action /steps/0/escalations/3',
      ]),
    );
  });

  it('counts escalations from the due time only with a due, and orders rules by when they fire', () => {
    const fromDue = (escalations: unknown[], due: string | null = 'PT2H') =>
      codes(validateDefinition(base([task({ ...(due !== null && { due }), escalations })])));
    // PT1H after opening, then 30 min after a 2 h due (2h30), then 3 h after opening: in order.
    expect(
      fromDue([
        { after: 'PT1H', assign: { role: 'managers' } },
        { after: 'PT30M', from: 'due', emit: { event: 'expense.overdue' } },
        { after: 'PT3H', from: 'opened', assign: { user: 'boss' } },
      ]),
    ).toEqual([]);
    expect(fromDue([{ after: 'PT1H', from: 'due', assign: { role: 'managers' } }], null)).toEqual([
      'escalation_from_due_without_due /steps/0/escalations/0/from',
    ]);
    // 2h + 0 after the due fires before 3 h after the opening: out of order, though "after" grows.
    expect(
      fromDue([
        { after: 'PT3H', assign: { role: 'managers' } },
        { after: 'PT0S', from: 'due', assign: { user: 'boss' } },
      ]),
    ).toEqual(['escalation_order /steps/0/escalations/1/after']);
    // ... and the other way round: a rule counted from the opening may not fire before one counted from the due.
    expect(
      fromDue([
        { after: 'PT1H', from: 'due', assign: { role: 'managers' } },
        { after: 'PT2H', assign: { user: 'boss' } },
      ]),
    ).toEqual(['escalation_order /steps/0/escalations/1/after']);
    expect(fromDue([{ after: 'PT1H', from: 'later', assign: { role: 'managers' } }])).toEqual([
      'schema.enum /steps/0/escalations/0/from',
    ]);
  });

  it('counts a goto target as reachable, and rejects unknown fields and bad approvals', () => {
    const reach = base([
      task({ escalations: [{ after: '1h', goto: 'late' }] }),
      { id: 'done', type: 'succeed' },
      { id: 'late', type: 'succeed' },
    ]);
    expect(validateDefinition(reach)).toEqual([]);
    const errors = validateDefinition(base([task({ approvals: { required: 0 }, assignees: ['x'] })]));
    expect(codes(errors)).toEqual(
      expect.arrayContaining([
        'schema.minimum /steps/0/approvals/required',
        'schema.additionalProperties /steps/0/assignees',
      ]),
    );
  });
});

describe('validateTaskDefinition', () => {
  it('accepts a complete task definition', () => {
    expect(
      validateTaskDefinition({
        task_id: 'post-to-ledger',
        version: '1.0.0',
        type: 'http',
        config: { method: 'POST', url: 'http://x' },
        input_schema: { type: 'object' },
        retry_policy: { max_attempts: 3 },
        timeouts: { start_to_close: '30s' },
      }),
    ).toEqual([]);
  });

  it('reports schema errors, invalid embedded schemas and unparsable transform expressions', () => {
    const errors = validateTaskDefinition({
      task_id: 't',
      version: '1.0.0',
      type: 'transform',
      config: { expression: '$.(' },
      input_schema: { type: 7 },
    });
    expect(codes(errors)).toEqual(['invalid_json_schema /input_schema', 'invalid_expression /config/expression']);
    expect(codes(validateTaskDefinition({ task_id: 't', type: 'magic' }))).toEqual(
      expect.arrayContaining(['schema.required /version', 'schema.enum /type']),
    );
  });

  it('accepts a manual task naming its form, and only a manual task', () => {
    const manual = { task_id: 'approve', version: '1.0.0', type: 'manual', config: {} };
    expect(validateTaskDefinition({ ...manual, ui_component: { component_id: 'expense-approval' } })).toEqual([]);
    expect(
      validateTaskDefinition({ ...manual, ui_component: { component_id: 'expense-approval', version: '1.0.0' } }),
    ).toEqual([]);
    expect(codes(validateTaskDefinition(manual))).toEqual(['manual_task_form /ui_component']);
    expect(
      codes(validateTaskDefinition({ ...manual, type: 'echo', ui_component: { component_id: 'expense-approval' } })),
    ).toEqual(['form_on_automatic_task /ui_component']);
    expect(codes(validateTaskDefinition({ ...manual, ui_component: { component_id: 'x', colour: 1 } }))).toEqual([
      'schema.additionalProperties /ui_component/colour',
    ]);
  });
});
