/** Lineage of runs (#15): the runs made from a run by redrive or rerun (workflow_instances.origin_instance_id). */
import type { Db } from './sql';
import { WORKFLOW_INSTANCES } from './workflow-instances';

/** A run made from another one. */
export interface DerivedRun {
  id: string;
  origin_kind: 'redrive' | 'rerun';
  status: string;
  created_at: Date;
}

/** The runs made from `instanceId`, oldest first. */
export async function listDerivedRuns(db: Db, instanceId: string): Promise<DerivedRun[]> {
  return (await db(WORKFLOW_INSTANCES)
    .select('id', 'origin_kind', 'status', 'created_at')
    .where({ origin_instance_id: instanceId })
    .whereNotNull('origin_kind')
    .orderBy([{ column: 'created_at' }, { column: 'id' }])) as DerivedRun[];
}

/** The run that redrove `instanceId`, if any (a run is redriven at most once). */
export async function findRedrivingRun(db: Db, instanceId: string): Promise<DerivedRun | undefined> {
  return (await db(WORKFLOW_INSTANCES)
    .select('id', 'origin_kind', 'status', 'created_at')
    .where({ origin_instance_id: instanceId, origin_kind: 'redrive' })
    .first()) as DerivedRun | undefined;
}
