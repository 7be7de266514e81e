/**
 * Runs whose task mirror writes this process had to drop (database down past the retry budget).
 * The reconciler in the same process rebuilds their task rows from Temporal's history: a dropped write can
 * leave no row at all, and nothing in the database would point at it.
 */

/** The run a dropped write belonged to. */
export interface DroppedRun {
  instanceId: string;
  workflowId: string;
  runId: string;
}

// Bounded: a long outage on a busy worker must not grow memory without limit; the oldest entries go first.
const MAX_ENTRIES = 10_000;

/** A bounded set of runs with dropped task writes, keyed by run id. */
export class DroppedTaskWrites {
  private readonly runs = new Map<string, DroppedRun>();

  /** Remembers that a write of this run was dropped. */
  add(run: DroppedRun): void {
    this.runs.delete(run.runId);
    this.runs.set(run.runId, run);
    if (this.runs.size > MAX_ENTRIES) this.runs.delete(this.runs.keys().next().value as string);
  }

  /** The runs still to repair, oldest first (at most `limit`). */
  list(limit: number): DroppedRun[] {
    return [...this.runs.values()].slice(0, limit);
  }

  /** Forgets a run once its rows have been rebuilt from a closed history. */
  delete(runId: string): void {
    this.runs.delete(runId);
  }
}

/** The process-wide set: the worker's task mirror records into it, the worker's reconciler drains it. */
export const droppedTaskWrites = new DroppedTaskWrites();
