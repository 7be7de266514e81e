/** Contract of the `mirrorWorkflow` local activity (activities/mirror). Types only: sandbox-safe. */

/** Workflow-level status written to workflow_instances. */
export type MirrorStatus = 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** One workflow-level status transition. */
export interface MirrorWorkflowUpdate {
  instanceId: string;
  workflowId: string;
  runId: string;
  /** Monotonic per workflow id (carried across continue-as-new); a lower seq never overwrites a higher. */
  seq: number;
  status: MirrorStatus;
  currentSteps?: string[];
  variables?: Record<string, unknown>;
  output?: unknown;
  /** `on_failure`: what the run's failure handler did, when the definition has one. */
  error?: { type?: string; message: string; details?: unknown; on_failure?: unknown };
  /** Workflow time, ISO-8601. */
  at: string;
  /**
   * When Temporal started the run (the first run of a continue-as-new chain), ISO-8601: the row's started_at.
   * Same clock as `at`, so completed_at is never before it. Absent in updates of runs started by older code.
   */
  startedAt?: string;
  /** Set on the first (running) update of a run so the row can be created if the starter did not. */
  start?: {
    definitionId: string;
    definitionVersion: string;
    definitionRowId?: string;
    input: unknown;
    correlationKey?: string;
    trigger?: { kind: string; eventId?: string; triggerId?: string; parentInstanceId?: string; causeEventId?: string };
  };
}

/** Local activities called only at workflow-level transitions. */
export interface MirrorActivities {
  mirrorWorkflow(update: MirrorWorkflowUpdate): Promise<void>;
}
