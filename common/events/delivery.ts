/** Shared shapes of event delivery (sandbox-safe: types and constants only). */

/** Start argument of `eventDispatcherWorkflow` (all optional; carried over on continue-as-new). */
export interface DispatcherInput {
  /** Events claimed per pass (default 100). */
  batchSize?: number;
  /** Passes before the run continues as new, bounding its history (default 500). */
  passesPerRun?: number;
  /**
   * How long back-to-back passes may keep one workflow task open before the dispatcher ends it with a 1 ms
   * timer (default 2000). Full passes chain as local activities inside one workflow task; a long one delays
   * queries and makes the SDK warn (TMPRL1104, over 5 s).
   */
  maxTaskSliceMs?: number;
  /**
   * The slice of the queue this dispatcher owns: rows whose `dispatch_hash % count = index`. Absent on the
   * single dispatcher of before sharding (id `aos-event-dispatcher:<taskQueue>`), which owns every row.
   */
  shard?: DispatchShard;
}

/** One shard of the dispatcher: `index` of `count` (the shard count it was started for). */
export interface DispatchShard {
  index: number;
  count: number;
}

/** Input of the `dispatchPending` activity. */
export interface DispatchRequest {
  /** The dispatcher workflow's id: it owns (and claims) the queue rows that name it. */
  dispatcherId: string;
  limit: number;
  /** The dispatcher id the queue rows name, when it is not `dispatcherId` (shards: the task queue's base id). */
  owner?: string;
  /** Only rows of this shard (default: all rows of the owner). */
  shard?: DispatchShard;
}

/** What one dispatch pass did. */
export interface DispatchResult {
  delivered: number;
  failed: number;
  deadLettered: number;
  /** The claim hit its limit: more events are probably due, dispatch again at once. */
  full: boolean;
  /** Until the next eligible event is due (<= 0: due now), or null when nothing waits. */
  nextDueInMs: number | null;
  /** The shard count configured on the worker that ran the pass (`EVENT_DISPATCH_SHARDS`). */
  shards?: number;
}

/** What routing one event did. */
export interface RoutingResult {
  started: Array<{ triggerId: string; workflowId: string; started: boolean }>;
  cancelled: Array<{ triggerId: string; workflowId: string }>;
  signalled: Array<{ workflowId: string; subscriptionId?: string; triggerId?: string }>;
  skipped: Array<{ triggerId: string; reason: string }>;
}

/** Signal that wakes the dispatcher: events were committed (or redriven) and are due. */
export const DISPATCHER_WAKE_SIGNAL = 'aosDispatchWake';

/**
 * The dispatcher id of a task queue, as the queue rows name it (their owner); before sharding it was also the
 * one dispatcher workflow's id.
 */
export const dispatcherWorkflowId = (taskQueue: string): string => `aos-event-dispatcher:${taskQueue}`;

/** Id of one dispatcher shard's workflow: `aos-event-dispatcher:<taskQueue>:<index>/<count>`. */
export const dispatcherShardWorkflowId = (taskQueue: string, shard: DispatchShard): string =>
  `${dispatcherWorkflowId(taskQueue)}:${shard.index}/${shard.count}`;
