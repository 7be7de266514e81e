/** A run's lineage (#15): the run it was redriven or rerun from, and the runs made from it. */
import { listDerivedRuns } from '../../db/repositories/run-lineage';
import type { WorkflowInstanceRow } from '../../db/repositories/workflow-instances';
import type { RunDeps } from './deps';

/** A run's lineage: the run it was made from, and the runs made from it. */
export interface RunLineage {
  origin: { instance_id: string; kind: 'redrive' | 'rerun' } | null;
  /** The run that redrove this one (at most one). */
  redriven_by: string | null;
  /** Reruns of this run, oldest first. */
  reruns: string[];
}

/** The lineage of `row`. */
export async function runLineage(deps: Pick<RunDeps, 'db'>, row: WorkflowInstanceRow): Promise<RunLineage> {
  const derived = await listDerivedRuns(deps.db, row.id);
  return {
    origin:
      row.origin_instance_id && row.origin_kind ? { instance_id: row.origin_instance_id, kind: row.origin_kind } : null,
    redriven_by: derived.find((d) => d.origin_kind === 'redrive')?.id ?? null,
    reruns: derived.filter((d) => d.origin_kind === 'rerun').map((d) => d.id),
  };
}
