/**
 * Semantic checks of a workflow definition, beyond what JSON Schema can say: ids, targets, task
 * references, expressions, reachability. Defensive about shape: it also runs on schema-invalid documents.
 */
import { concurrencyErrors } from './concurrency-check';
import { templateErrors } from './expression-check';
import { tryParseDuration } from './duration';
import { jsonSchemaErrors } from './json-schema-check';
import { initialVarsErrors, literalNameErrors } from './literal-fields';
import type { ValidationError } from './validation-error';
import { childStepLists, NESTED_STEP_KEYS } from './walk';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const TERMINAL = new Set(['succeed', 'fail']);

/** Runs every semantic check and returns all errors found. */
export function checkSemantics(
  doc: Obj,
  isKnownTask?: (id: string) => boolean,
  isManualTask?: (ref: string) => boolean,
): ValidationError[] {
  const errors: ValidationError[] = [];
  errors.push(
    ...jsonSchemaErrors(doc.input_schema, '/input_schema'),
    ...jsonSchemaErrors(doc.output_schema, '/output_schema'),
  );
  if ('output' in doc) errors.push(...templateErrors(doc.output, '/output'));
  if (isObj(doc.vars)) errors.push(...templateErrors(doc.vars, '/vars'), ...initialVarsErrors(doc.vars, '/vars'));
  checkDuration(doc.timeout, '/timeout', errors);
  if (isObj(doc.on_failure)) errors.push(...onFailureErrors(doc.on_failure));
  errors.push(...concurrencyErrors(doc.concurrency));
  const seenIds = new Map<string, string>();
  checkList(doc.steps, '/steps', { errors, seenIds, isKnownTask, isManualTask });
  return errors;
}

/**
 * `on_failure`: its templates compile. The handler workflow's existence needs the database: the definitions service
 * checks it ({@link onFailureWorkflowRef}).
 */
function onFailureErrors(h: Obj): ValidationError[] {
  const errors: ValidationError[] = [];
  if ('input' in h) errors.push(...templateErrors(h.input, '/on_failure/input'));
  if ('payload' in h) errors.push(...templateErrors(h.payload, '/on_failure/payload'));
  if (typeof h.workflow === 'string' && h.workflow.includes('{%'))
    errors.push({
      pointer: '/on_failure/workflow',
      code: 'on_failure_workflow_expression',
      message: 'the failure handler names a stored workflow definition literally (no expression)',
    });
  return errors;
}

/** The workflow definition an `on_failure` handler starts (undefined for none or an event). */
export function onFailureWorkflowRef(doc: unknown): { workflow: string; version?: string } | undefined {
  if (!isObj(doc) || !isObj(doc.on_failure) || doc.on_failure.type !== 'sub_workflow') return undefined;
  const { workflow, version } = doc.on_failure;
  if (typeof workflow !== 'string') return undefined;
  return { workflow, ...(typeof version === 'string' && { version }) };
}

interface Walk {
  errors: ValidationError[];
  seenIds: Map<string, string>;
  isKnownTask?: (id: string) => boolean;
  /** Whether a task reference names a manual task (a person's, used by `human_task` steps only). */
  isManualTask?: (ref: string) => boolean;
}

function checkList(list: unknown, ptr: string, w: Walk): void {
  if (!Array.isArray(list)) return;
  const steps = list.map((s) => (isObj(s) ? s : {}));
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    const id = str(s.id);
    if (id === undefined) return;
    const first = w.seenIds.get(id);
    if (first !== undefined)
      w.errors.push({
        pointer: `${ptr}/${i}/id`,
        code: 'duplicate_step_id',
        message: `step id "${id}" is already used at ${first}`,
      });
    else w.seenIds.set(id, `${ptr}/${i}`);
    if (!index.has(id)) index.set(id, i);
  });
  steps.forEach((s, i) => checkStep(s, `${ptr}/${i}`, index, w));
  checkReachability(steps, ptr, index, w.errors);
}

/** Every (pointer, target) pair of a step that must name a step of the same list. */
function targetsOf(s: Obj, ptr: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (p: string, v: unknown): void => {
    if (typeof v === 'string') out.push([p, v]);
  };
  add(`${ptr}/next`, s.next);
  add(`${ptr}/default`, s.default);
  add(`${ptr}/on_timeout`, s.on_timeout);
  if (Array.isArray(s.cases)) s.cases.forEach((c, i) => isObj(c) && add(`${ptr}/cases/${i}/next`, c.next));
  if (Array.isArray(s.catch)) s.catch.forEach((c, i) => isObj(c) && add(`${ptr}/catch/${i}/next`, c.next));
  if (s.type === 'human_task' && Array.isArray(s.escalations))
    s.escalations.forEach((e, i) => isObj(e) && add(`${ptr}/escalations/${i}/goto`, e.goto));
  return out;
}

function checkStep(s: Obj, ptr: string, index: Map<string, number>, w: Walk): void {
  for (const [p, target] of targetsOf(s, ptr)) {
    if (!index.has(target))
      w.errors.push({ pointer: p, code: 'unknown_target', message: `no step "${target}" in the same step list` });
  }
  if (s.type === 'task' && typeof s.task === 'string' && w.isKnownTask && !w.isKnownTask(s.task)) {
    w.errors.push({ pointer: `${ptr}/task`, code: 'unknown_task', message: `task "${s.task}" does not exist` });
  } else if (s.type === 'task' && typeof s.task === 'string' && w.isManualTask?.(s.task)) {
    w.errors.push({
      pointer: `${ptr}/task`,
      code: 'manual_task_in_task_step',
      message: `task "${s.task}" is a manual task (a person does it): use it from a human_task step`,
    });
  }
  if (s.type === 'switch' && s.default === undefined && (!Array.isArray(s.cases) || s.cases.length === 0)) {
    w.errors.push({
      pointer: `${ptr}/cases`,
      code: 'switch_no_way_out',
      message: 'a switch needs at least one case or a default',
    });
  }
  if (s.type === 'wait_for_event' && s.on_timeout !== undefined && s.timeout === undefined) {
    w.errors.push({
      pointer: `${ptr}/on_timeout`,
      code: 'on_timeout_without_timeout',
      message: 'on_timeout needs a timeout',
    });
  }
  if (s.type === 'human_task') checkHumanTask(s, ptr, w.errors);
  if (s.type === 'wait_for_event') checkWaitForEvents(s, ptr, w.errors);
  if (s.type === 'parallel' && s.mode === 'race' && s.output_mode !== undefined) {
    w.errors.push({
      pointer: `${ptr}/output_mode`,
      code: 'output_mode_in_race',
      message: 'a race outputs { branch, output }: output_mode applies to mode "all" only',
    });
  }
  const branchIds = new Set<string>();
  for (const nested of childStepLists(s, ptr)) {
    if (s.type === 'parallel') {
      const id = str(nested.holder.id);
      if (id !== undefined && branchIds.has(id)) {
        const pointer = `${nested.holderPointer}/id`;
        w.errors.push({ pointer, code: 'duplicate_branch_id', message: `branch id "${id}" is repeated` });
      }
      if (id !== undefined) branchIds.add(id);
    }
    checkList(nested.steps, nested.pointer, w);
  }
  checkDuration(s.timeout, `${ptr}/timeout`, w.errors);
  if (s.type === 'task' && isObj(s.timeouts)) {
    for (const [k, v] of Object.entries(s.timeouts)) checkDuration(v, `${ptr}/timeouts/${k}`, w.errors);
  }
  if (s.type === 'delay' && !(typeof s.duration === 'string' && s.duration.includes('{%')))
    checkDuration(s.duration, `${ptr}/duration`, w.errors);
  if (isObj(s.retry)) {
    checkDuration(s.retry.initial_interval, `${ptr}/retry/initial_interval`, w.errors);
    checkDuration(s.retry.max_interval, `${ptr}/retry/max_interval`, w.errors);
  }
  for (const [key, value] of Object.entries(s)) {
    if (!NESTED_STEP_KEYS.has(key)) w.errors.push(...templateErrors(value, `${ptr}/${key}`));
  }
  w.errors.push(...literalNameErrors(s, ptr));
}

/** The rules of a wait for several events the schema cannot say. */
function checkWaitForEvents(s: Obj, ptr: string, errors: ValidationError[]): void {
  if (!Array.isArray(s.events)) {
    for (const field of ['mode', 'until'])
      if (s[field] !== undefined)
        errors.push({
          pointer: `${ptr}/${field}`,
          code: 'needs_events',
          message: `${field} applies to a wait with "events"`,
        });
    return;
  }
  if (s.correlation !== undefined)
    errors.push({
      pointer: `${ptr}/correlation`,
      code: 'correlation_with_events',
      message: 'with "events", each pattern has its own correlation',
    });
  if (s.mode !== undefined && s.until !== undefined)
    errors.push({
      pointer: `${ptr}/mode`,
      code: 'mode_with_until',
      message: 'a wait with "until" takes every matching event until it holds: mode does not apply',
    });
  const seen = new Set<unknown>();
  s.events.forEach((e, i) => {
    if (!isObj(e)) return;
    if (seen.has(e.id))
      errors.push({
        pointer: `${ptr}/events/${i}/id`,
        code: 'duplicate_event_id',
        message: `"${String(e.id)}" is repeated`,
      });
    seen.add(e.id);
  });
}

/** The rules of a human_task the schema cannot say: form xor task, someone to do it, one action per escalation. */
function checkHumanTask(s: Obj, ptr: string, errors: ValidationError[]): void {
  if (s.form === undefined && s.task === undefined)
    errors.push({ pointer: ptr, code: 'human_task_no_form', message: 'a human_task needs "form" or "task"' });
  if (s.form !== undefined && s.task !== undefined)
    errors.push({
      pointer: `${ptr}/task`,
      code: 'human_task_form_and_task',
      message: 'give "form" or "task", not both',
    });
  if (s.assignee === undefined && s.candidate_users === undefined && s.candidate_roles === undefined)
    errors.push({
      pointer: ptr,
      code: 'human_task_no_assignment',
      message: 'a human_task needs "assignee", "candidate_users" or "candidate_roles"',
    });
  checkDuration(s.due, `${ptr}/due`, errors);
  if (!Array.isArray(s.escalations)) return;
  const due = tryParseDuration(s.due);
  let previous = -1;
  s.escalations.forEach((e, i) => {
    if (!isObj(e)) return;
    const at = `${ptr}/escalations/${i}`;
    checkDuration(e.after, `${at}/after`, errors);
    if (e.from === 'due' && s.due === undefined)
      errors.push({
        pointer: `${at}/from`,
        code: 'escalation_from_due_without_due',
        message: 'an escalation counted from the due time ("from": "due") needs the step\'s "due"',
      });
    // Rules fire in order: compare when each fires, counted from the opening (`from: "due"` adds the due time).
    const after = tryParseDuration(e.after);
    const base = e.from === 'due' ? due : 0;
    const offset = after === undefined || base === undefined ? undefined : base + after;
    if (offset !== undefined && offset < previous)
      errors.push({
        pointer: `${at}/after`,
        code: 'escalation_order',
        message:
          'escalations fire in order: a rule may not fire before the previous one (counted from the opening; "from": "due" adds the due time)',
      });
    if (offset !== undefined) previous = offset;
    const actions = ['assign', 'emit', 'goto'].filter((k) => e[k] !== undefined);
    if (actions.length !== 1)
      errors.push({
        pointer: at,
        code: 'escalation_action',
        message: `an escalation needs exactly one of "assign", "emit", "goto" (has ${actions.length})`,
      });
    if (isObj(e.assign) && (e.assign.user === undefined) === (e.assign.role === undefined))
      errors.push({
        pointer: `${at}/assign`,
        code: 'escalation_assign',
        message: 'assign needs exactly one of "user", "role"',
      });
  });
}

function checkDuration(value: unknown, pointer: string, errors: ValidationError[]): void {
  if (value === undefined || typeof value === 'object') return;
  if (tryParseDuration(value) === undefined)
    errors.push({ pointer, code: 'invalid_duration', message: `not a duration: ${JSON.stringify(value)}` });
}

/** Successor indexes of step i inside its list. */
function successors(s: Obj, i: number, count: number, index: Map<string, number>): number[] {
  const out: number[] = [];
  const to = (id: unknown): void => {
    const j = typeof id === 'string' ? index.get(id) : undefined;
    if (j !== undefined) out.push(j);
  };
  const fallThrough = (): void => (s.next !== undefined ? to(s.next) : void (i + 1 < count && out.push(i + 1)));
  if (Array.isArray(s.catch)) s.catch.forEach((c) => isObj(c) && to(c.next));
  if (TERMINAL.has(String(s.type))) return out;
  if (s.type === 'switch') {
    if (Array.isArray(s.cases)) s.cases.forEach((c) => isObj(c) && to(c.next));
    if (s.default !== undefined) to(s.default);
    else fallThrough();
    return out;
  }
  to(s.on_timeout);
  if (s.type === 'human_task' && Array.isArray(s.escalations)) s.escalations.forEach((e) => isObj(e) && to(e.goto));
  fallThrough();
  return out;
}

function checkReachability(steps: Obj[], ptr: string, index: Map<string, number>, errors: ValidationError[]): void {
  if (steps.length === 0) return;
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.shift() as number;
    for (const j of successors(steps[i], i, steps.length, index)) {
      if (!seen.has(j)) {
        seen.add(j);
        queue.push(j);
      }
    }
  }
  steps.forEach((s, i) => {
    if (!seen.has(i))
      errors.push({
        pointer: `${ptr}/${i}`,
        code: 'unreachable_step',
        message: `step "${str(s.id) ?? i}" can never run`,
      });
  });
}
