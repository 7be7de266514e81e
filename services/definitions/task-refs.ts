/**
 * Task references of a workflow definition. A `task` step names `task_id` (latest active version at start)
 * or `task_id@version` (pinned); the resolved snapshot map is keyed by the reference exactly as written,
 * which is how the interpreter looks it up.
 */
import { walkSteps } from '../../common/definitions/walk';

/** A parsed task reference. */
export interface TaskRef {
  ref: string;
  taskId: string;
  version?: string;
}

/** Parses `id` or `id@version`. */
export function parseTaskRef(ref: string): TaskRef {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { ref, taskId: ref.slice(0, at), version: ref.slice(at + 1) } : { ref, taskId: ref };
}

/** Every distinct task reference in `steps`, nested blocks included. */
export function collectTaskRefs(steps: unknown): TaskRef[] {
  const refs = new Map<string, TaskRef>();
  walkSteps(steps, (s) => {
    if (s.type === 'task' && typeof s.task === 'string') refs.set(s.task, parseTaskRef(s.task));
  });
  return [...refs.values()];
}
