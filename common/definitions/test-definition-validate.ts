/**
 * Validation of a test definition document (#14): its JSON Schema, then the rules a schema cannot say, then its
 * references into the target (step ids, task ids), all at once with JSON pointers (at most 100 errors, like every
 * definition). The target is given already resolved (services/definitions/test-definitions.ts resolves it).
 */
import { ajv } from '../ajv';
import { bareExpression, expressionErrors } from './expression-check';
import { addSchemaErrors } from './step-wise-schema';
import { testDefinitionSchema } from './test-definition-schema';
import { DURATION_PATTERN, tryParseDuration } from './duration';
import { capErrors } from './validation-bounds';
import type { ValidationError } from './validation-error';
import { walkSteps } from './walk';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o: Obj, key: string) => Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;

/** What the references of a test definition are checked against. */
export type TestTarget =
  | {
      type: 'workflow';
      /** `<workflow_id>@<version>`, for messages. */
      label: string;
      /** Every step id (nested ones included) and its type. */
      steps: Map<string, string>;
      /** task_ids that the workflow's task steps run. */
      tasks: Set<string>;
    }
  | { type: 'task'; label: string; taskId: string };

/** The target facts of a workflow definition document. */
export function workflowTarget(label: string, definition: unknown): TestTarget {
  const steps = new Map<string, string>();
  const tasks = new Set<string>();
  walkSteps(isObj(definition) ? definition.steps : undefined, (step) => {
    if (typeof step.id === 'string') steps.set(step.id, String(step.type));
    if (step.type === 'task' && typeof step.task === 'string') {
      const at = step.task.lastIndexOf('@');
      tasks.add(at > 0 ? step.task.slice(0, at) : step.task);
    }
  });
  return { type: 'workflow', label, steps, tasks };
}

const compiled = ajv.getSchema(testDefinitionSchema.$id as string) ?? ajv.compile(testDefinitionSchema);

/**
 * Every error of a test definition document. `target`: the resolved target (references are checked against it),
 * or undefined when it could not be resolved (the caller reports that).
 */
export function validateTestDefinition(doc: unknown, target?: TestTarget): ValidationError[] {
  const errors: ValidationError[] = [];
  if (!compiled(doc)) addSchemaErrors(compiled.errors, '', errors, new Set());
  if (!isObj(doc)) return capErrors(errors);
  const isTask = doc.target_type === 'task';
  if (isObj(doc.settings)) durationErrors(doc.settings, '/settings', ['case_timeout'], errors);
  const cases = Array.isArray(doc.test_cases) ? doc.test_cases : [];
  const seen = new Map<string, number>();
  cases.forEach((c, i) => {
    if (!isObj(c)) return;
    const at = `/test_cases/${i}`;
    if (typeof c.case_id === 'string') {
      const first = seen.get(c.case_id);
      if (first !== undefined) {
        const message = `duplicate case_id "${c.case_id}" (first at /test_cases/${first})`;
        errors.push({ pointer: `${at}/case_id`, code: 'duplicate_case_id', message });
      } else seen.set(c.case_id, i);
    }
    caseErrors(c, at, isTask, target, errors);
  });
  return capErrors(errors);
}

function caseErrors(c: Obj, at: string, isTask: boolean, target: TestTarget | undefined, out: ValidationError[]) {
  durationErrors(c, at, ['case_timeout'], out);
  const workflowOnly = (pointer: string, what: string) =>
    out.push({ pointer, code: 'workflow_only', message: `${what} is for workflow targets only (target_type is task)` });
  const step = stepChecker(target, out);

  if (Array.isArray(c.mocks)) {
    c.mocks.forEach((m, j) => {
      if (!isObj(m)) return;
      const p = `${at}/mocks/${j}`;
      mockErrors(m, p, out);
      if (typeof m.step === 'string' && has(m, 'step')) {
        if (isTask) workflowOnly(`${p}/step`, 'a step mock');
        else step(m.step, `${p}/step`, ['task'], 'a task step');
      }
      if (typeof m.task === 'string' && target) taskRefErrors(m.task, `${p}/task`, target, out);
    });
  }
  if (has(c, 'start_event')) {
    if (isTask) workflowOnly(`${at}/start_event`, 'start_event');
    if (has(c, 'input'))
      out.push({
        pointer: `${at}/input`,
        code: 'input_and_start_event',
        message: "a case started by start_event gets its input from the trigger's input mapping: drop input",
      });
  }
  if (has(c, 'correlation_key') && isTask) workflowOnly(`${at}/correlation_key`, 'correlation_key');
  if (Array.isArray(c.events)) {
    if (isTask) workflowOnly(`${at}/events`, 'events');
    else
      c.events.forEach((e, j) => {
        if (!isObj(e)) return;
        durationErrors(e, `${at}/events/${j}`, ['after'], out);
        if (typeof e.at_step === 'string') step(e.at_step, `${at}/events/${j}/at_step`);
      });
  }
  if (Array.isArray(c.human_tasks)) {
    if (isTask) workflowOnly(`${at}/human_tasks`, 'human_tasks');
    else
      c.human_tasks.forEach((h, j) => {
        if (!isObj(h)) return;
        durationErrors(h, `${at}/human_tasks/${j}`, ['after'], out);
        if (typeof h.step === 'string')
          step(h.step, `${at}/human_tasks/${j}/step`, ['human_task'], 'a human_task step');
      });
  }
  if (isObj(c.expect)) expectErrors(c.expect, `${at}/expect`, isTask, step, workflowOnly, out);
}

function expectErrors(
  x: Obj,
  at: string,
  isTask: boolean,
  step: (id: string, pointer: string) => void,
  workflowOnly: (pointer: string, what: string) => void,
  out: ValidationError[],
) {
  durationErrors(x, at, ['max_duration'], out);
  const asserts = typeof x.assert === 'string' ? [[x.assert, `${at}/assert`]] : [];
  if (Array.isArray(x.assert)) x.assert.forEach((a, k) => asserts.push([a, `${at}/assert/${k}`]));
  for (const [src, p] of asserts)
    if (typeof src === 'string') out.push(...expressionErrors(bareExpression(src), p, true));
  for (const key of ['path', 'path_contains', 'path_excludes']) {
    if (!has(x, key)) continue;
    if (isTask) workflowOnly(`${at}/${key}`, `expect.${key}`);
    else if (Array.isArray(x[key]))
      (x[key] as unknown[]).forEach((id, k) => typeof id === 'string' && step(id, `${at}/${key}/${k}`));
  }
  if (has(x, 'steps')) {
    if (isTask) workflowOnly(`${at}/steps`, 'expect.steps');
    else if (isObj(x.steps)) for (const id of Object.keys(x.steps)) step(id, `${at}/steps/${escape(id)}`);
  }
  if (has(x, 'events') && isTask) workflowOnly(`${at}/events`, 'expect.events');
  if (has(x, 'started') && isTask) workflowOnly(`${at}/started`, 'expect.started');
}

/** Exactly one of output/error per response, one of step/task per mock, `when` compiles, durations parse. */
function mockErrors(m: Obj, p: string, out: ValidationError[]) {
  const named = ['step', 'task'].filter((k) => has(m, k));
  if (named.length !== 1) {
    const message = named.length ? 'names both step and task: give exactly one' : 'names neither step nor task';
    out.push({ pointer: p, code: 'mock_target', message });
  }
  responseErrors(m, p, out);
  if (typeof m.when === 'string') out.push(...expressionErrors(bareExpression(m.when), `${p}/when`, true));
  const answers = ['output', 'error', 'delay'].filter((k) => has(m, k));
  if (has(m, 'attempts') && answers.length) {
    const message = `attempts answers every attempt: ${answers.join(', ')} belongs inside its entries`;
    out.push({ pointer: `${p}/attempts`, code: 'mock_conflict', message });
  }
  if (m.real === true && (answers.length || has(m, 'attempts'))) {
    const message = 'a real mock runs the task: it has no output, error, delay or attempts';
    out.push({ pointer: `${p}/real`, code: 'mock_conflict', message });
  }
  if (Array.isArray(m.attempts)) m.attempts.forEach((a, k) => isObj(a) && responseErrors(a, `${p}/attempts/${k}`, out));
}

function responseErrors(r: Obj, p: string, out: ValidationError[]) {
  if (has(r, 'output') && has(r, 'error')) {
    out.push({ pointer: p, code: 'mock_response', message: 'has both output and error: give exactly one' });
  }
  durationErrors(r, p, ['delay'], out);
}

const DURATION = new RegExp(DURATION_PATTERN);

/** Durations the schema's pattern lets through but that do not parse (`P`, `PT`); the schema reports the others. */
function durationErrors(o: Obj, at: string, keys: string[], out: ValidationError[]) {
  for (const key of keys) {
    const v = o[key];
    if (typeof v === 'string' && DURATION.test(v) && tryParseDuration(v) === undefined) {
      out.push({
        pointer: `${at}/${key}`,
        code: 'invalid_duration',
        message: `"${v}" is not a duration (e.g. 10s, PT1H)`,
      });
    }
  }
}

/** Checks that a step id names a step of the target (of one of `types`, when given). */
function stepChecker(target: TestTarget | undefined, out: ValidationError[]) {
  return (id: string, pointer: string, types?: string[], what?: string) => {
    if (target?.type !== 'workflow') return;
    const type = target.steps.get(id);
    if (type === undefined) {
      out.push({ pointer, code: 'unknown_step', message: `no step "${id}" in ${target.label}` });
    } else if (types && !types.includes(type)) {
      out.push({ pointer, code: 'wrong_step_type', message: `step "${id}" is a ${type} step, not ${what}` });
    }
  };
}

function taskRefErrors(taskId: string, pointer: string, target: TestTarget, out: ValidationError[]) {
  if (target.type === 'task' && taskId !== target.taskId) {
    out.push({ pointer, code: 'unknown_task', message: `the target is task ${target.label}, not "${taskId}"` });
  }
  if (target.type === 'workflow' && !target.tasks.has(taskId)) {
    out.push({ pointer, code: 'unknown_task', message: `no task step of ${target.label} runs task "${taskId}"` });
  }
}

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
