/**
 * The one walker over nested steps: which step types hold step lists, and where. Validation (on documents of
 * any shape), task resolution and anything else that recurses over a definition use it, so a new block step is
 * taught here once; the type below fails to compile when a step type that holds steps is missing from the table.
 * Pure and sandbox-safe (types only from `types.ts`).
 */
import type { Step, StepType } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A step list nested in a block step. */
export interface NestedStepList {
  /** The list as found in the document (not necessarily an array when the document is not schema-valid). */
  steps: unknown;
  /** JSON pointer of the list. */
  pointer: string;
  /** The object that holds the list (a parallel branch, or the step itself) and its pointer. */
  holder: Obj;
  holderPointer: string;
}

/** `V` is a step list. */
type IsStepList<V> = [V] extends [never] ? false : [V] extends [readonly Step[]] ? true : false;
/** The keys of `T` that hold step lists, directly or in the objects of an array (`branches[].steps`). */
type StepListKeys<T> = {
  [K in keyof T]-?: IsStepList<NonNullable<T[K]>> extends true
    ? K
    : NonNullable<T[K]> extends readonly (infer E)[]
      ? E extends object
        ? { [J in keyof E]-?: IsStepList<NonNullable<E[J]>> extends true ? K : never }[keyof E]
        : never
      : never;
}[keyof T];
/** The step types that hold step lists (computed from the definition types). */
export type BlockStepType = {
  [T in StepType]: [StepListKeys<Extract<Step, { type: T }>>] extends [never] ? never : T;
}[StepType];

/** How a block step type holds its lists: the key they hang from, and the lists found under it. */
interface BlockKind<K extends string> {
  key: K;
  lists(value: unknown, stepPointer: string, step: Obj): NestedStepList[];
}

/** Every block step type: the type check makes the table complete, and each entry name its step's key. */
const BLOCKS: { [T in BlockStepType]: BlockKind<StepListKeys<Extract<Step, { type: T }>> & string> } = {
  parallel: {
    key: 'branches',
    lists: (branches, at) =>
      Array.isArray(branches)
        ? branches.flatMap((b, i) => {
            if (!isObj(b)) return [];
            const holderPointer = `${at}/branches/${i}`;
            return [{ steps: b.steps, pointer: `${holderPointer}/steps`, holder: b, holderPointer }];
          })
        : [],
  },
  foreach: {
    key: 'steps',
    lists: (steps, at, step) => [{ steps, pointer: `${at}/steps`, holder: step, holderPointer: at }],
  },
};

/** The keys under which block steps hold their step lists (`branches`, `steps`). */
export const NESTED_STEP_KEYS: ReadonlySet<string> = new Set(Object.values(BLOCKS).map((b) => b.key));

/**
 * The step lists nested in `step` (any value), at `pointer` (the step's own). `anyType` reads every block key
 * whatever the step's type (for bounds checked before the schema: they count what a document holds).
 */
export function childStepLists(step: unknown, pointer = '', anyType = false): NestedStepList[] {
  if (!isObj(step)) return [];
  const kinds: Array<BlockKind<string>> = anyType ? Object.values(BLOCKS) : [];
  if (!anyType && Object.prototype.hasOwnProperty.call(BLOCKS, String(step.type))) {
    kinds.push(BLOCKS[step.type as BlockStepType]);
  }
  return kinds.flatMap((k) => k.lists(step[k.key], pointer, step));
}

/**
 * Calls `visit` for every step object in `steps` and in the lists nested in them, depth first in document order
 * (a step before the steps nested in it). Values that are not objects are skipped.
 */
export function walkSteps(steps: unknown, visit: (step: Obj, pointer: string) => void, pointer = '/steps'): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    if (!isObj(step)) return;
    visit(step, `${pointer}/${i}`);
    for (const nested of childStepLists(step, `${pointer}/${i}`)) walkSteps(nested.steps, visit, nested.pointer);
  });
}
