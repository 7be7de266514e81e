/**
 * Coverage of a workflow definition by the cases of a test run: which of its steps (nested ones included) ran in
 * at least one case, and which switch branches were taken (`<switch id>#<case index>`, `<switch id>#default`; a
 * switch without `default` has no default branch to cover). Sub-workflows are their own definitions: not counted.
 */
import { branchLabel, type TestCoverage } from '../../common/contracts/testing';
import { walkSteps } from '../../common/definitions/walk';
import type { RunTrail, WorkflowDefinition } from '../../common/definitions/types';

/** Every step id and switch branch of a definition, in document order. */
export function coverageUniverse(definition: Pick<WorkflowDefinition, 'steps'>): {
  steps: string[];
  branches: string[];
} {
  const steps: string[] = [];
  const branches: string[] = [];
  walkSteps(definition.steps, (step) => {
    const id = String(step.id);
    if (!steps.includes(id)) steps.push(id);
    if (step.type !== 'switch') return;
    const cases = Array.isArray(step.cases) ? step.cases : [];
    cases.forEach((_, i) => branches.push(branchLabel(id, i)));
    if (step.default !== undefined) branches.push(branchLabel(id, 'default'));
  });
  return { steps, branches };
}

const percent = (visited: number, total: number) => (total === 0 ? 100 : Math.round((visited / total) * 1000) / 10);

/** Coverage of `definition` by the trails of its cases. */
export function coverageOf(definition: Pick<WorkflowDefinition, 'steps'>, trails: RunTrail[]): TestCoverage {
  const universe = coverageUniverse(definition);
  const ran = new Set(trails.flatMap((t) => t.steps));
  const taken = new Set(trails.flatMap((t) => t.branches));
  const figure = (all: string[], seen: Set<string>) => {
    const unreached = all.filter((x) => !seen.has(x));
    const visited = all.length - unreached.length;
    return { total: all.length, visited, percent: percent(visited, all.length), unreached };
  };
  return { steps: figure(universe.steps, ran), branches: figure(universe.branches, taken) };
}
