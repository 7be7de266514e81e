/**
 * The JSON in the docs is real: every ```json block parses, every workflow definition, step and task
 * definition shown validates with the project's own validators, and every step type has a worked example
 * with an input and a documented result. (doc-examples.int.test.ts runs the worked examples.)
 */
import { templateErrors } from '../../common/definitions/expression-check';
import { stepSchemaErrors } from '../../common/definitions/step-wise-schema';
import { STEP_TYPES, type Step } from '../../common/definitions/types';
import { validateDefinition, validateTaskDefinition } from '../../common/definitions/validate';
import { allBlocks, at, docFiles, jsonBlocks, MARK_KINDS, workedExamples, type DocBlock } from './doc-examples';

type Obj = Record<string, unknown>;
const blocks = allBlocks();
const parsed = (b: DocBlock): unknown => JSON.parse(b.text);
/** The parsed block, or undefined when it is not JSON (its own test reports that). */
const tryParsed = (b: DocBlock): unknown => {
  try {
    return parsed(b);
  } catch {
    return undefined;
  }
};
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isDefinition = (v: unknown): v is Obj => isObj(v) && typeof v.workflow_id === 'string' && Array.isArray(v.steps);
const isTaskDefinition = (v: unknown): v is Obj => isObj(v) && typeof v.task_id === 'string' && 'type' in v;
const isStep = (v: unknown): v is Obj =>
  isObj(v) && typeof v.id === 'string' && (STEP_TYPES as readonly unknown[]).includes(v.type) && !('workflow_id' in v);

function stepsOf(list: unknown): Obj[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter(isObj)
    .flatMap((s) => [
      s,
      ...stepsOf(s.steps),
      ...(Array.isArray(s.branches) ? s.branches.filter(isObj).flatMap((b) => stepsOf(b.steps)) : []),
    ]);
}

describe('JSON in the docs', () => {
  it('finds the examples (the extractor is not silently empty)', () => {
    expect(blocks.length).toBeGreaterThan(20);
    expect(blocks.filter((b) => isDefinition(tryParsed(b))).length).toBeGreaterThanOrEqual(STEP_TYPES.length);
  });

  it.each(blocks.map((b) => [at(b), b] as const))('%s is valid JSON', (_, b) => {
    expect(() => parsed(b)).not.toThrow();
  });

  it('has every doc-test mark right above a json block, with a known kind', () => {
    for (const file of docFiles()) {
      const { blocks: marked, strayMarks } = jsonBlocks(file);
      expect({ file, strayMarks }).toEqual({ file, strayMarks: [] });
      for (const b of marked)
        if (b.mark) expect([at(b), (MARK_KINDS as readonly string[]).includes(b.mark.kind)]).toEqual([at(b), true]);
    }
  });

  const definitions = blocks.filter((b) => isDefinition(tryParsed(b)));
  it.each(definitions.map((b) => [at(b), b] as const))('workflow definition at %s validates', (_, b) => {
    const doc = parsed(b) as Obj;
    // Inside a worked example, the task references must be the example's own tasks.
    const example = b.mark && workedExamples().find((e) => e.name === b.mark?.name);
    const knownTasks = example ? new Set(example.tasks.map((t) => t.task_id as string)) : undefined;
    expect(validateDefinition(doc, { knownTasks })).toEqual([]);
  });

  const steps = blocks.filter((b) => isStep(tryParsed(b)));
  it.each(steps.map((b) => [at(b), b] as const))('step fragment at %s matches the step schema', (_, b) => {
    const step = parsed(b) as Obj;
    // The step schema on its own: a fragment's `next` may name steps the fragment does not show.
    expect(stepSchemaErrors(step, 100)).toEqual([]);
    expect(templateErrors(step, '')).toEqual([]);
  });

  const tasks = blocks.filter((b) => isTaskDefinition(tryParsed(b)));
  it.each(tasks.map((b) => [at(b), b] as const))('task definition at %s validates', (_, b) => {
    expect(validateTaskDefinition(parsed(b))).toEqual([]);
  });
});

describe('worked examples', () => {
  const examples = workedExamples();

  it.each(STEP_TYPES.map((t) => [t]))('step type %s has a worked example that uses it', (type) => {
    const ex = examples.find((e) => e.name === type);
    expect(ex?.definition).toBeDefined();
    expect(stepsOf(ex?.definition?.steps).map((s) => s.type)).toContain(type as Step['type']);
  });

  it.each(examples.map((e) => [e.name, e] as const))(
    '%s has a definition, an input and exactly one result',
    (_, ex) => {
      expect([ex.where, ex.definition !== undefined, ex.input !== undefined]).toEqual([ex.where, true, true]);
      expect([ex.where, Number(ex.output !== undefined) + Number(ex.error !== undefined)]).toEqual([ex.where, 1]);
    },
  );

  it('gives every example definition its own workflow_id (they run side by side)', () => {
    const ids = examples.flatMap((e) => [e.definition, ...e.children]).map((d) => d?.workflow_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
