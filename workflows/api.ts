/**
 * The workflow types, signals and queries of `interpreterWorkflow` and `eventDispatcherWorkflow`. Client code imports these definitions
 * (never string names alone) so the two sides cannot drift.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HumanTaskSubmission, HumanTaskSubmitResult } from '../common/contracts/human-tasks';
import type { RunControlRequest, RunControlResult } from '../common/contracts/run-control';
import type { EventEnvelope, InterpreterState, RedriveState } from '../common/definitions/types';
import { DISPATCHER_WAKE_SIGNAL } from '../common/events/delivery';
import type { eventDispatcherWorkflow } from './event-dispatcher';
import type { interpreterWorkflow } from './interpreter';
import type { scheduledRunWorkflow } from './scheduled-run';
import type { taskTestWorkflow } from './task-test';

/** Delivers an event to a waiting (or soon waiting) `wait_for_event` step; deduplicated by eventId. */
export const aosEventSignal = defineSignal<[EventEnvelope]>('aosEvent');

/** Live state: status, current and completed steps, variables, step outputs. */
export const aosStateQuery = defineQuery<InterpreterState>('aosState');

/**
 * What a redrive of the run takes over: its top-level step in progress, variables, step records, unconsumed events
 * and the journal of that step's finished nested executions. Asked of closed runs (a worker replays them).
 */
export const aosRedriveStateQuery = defineQuery<RedriveState>('aosRedriveState');

/**
 * Submits a human task's form to the run that waits on it. The validator refuses a closed task, a duplicate
 * approval, a starter's self-approval and an unknown action (`HumanTaskRejection`), so the submitter learns at
 * once whether the run accepted it; of two concurrent submissions the run accepts exactly one.
 */
export const humanTaskSubmitUpdate = defineUpdate<HumanTaskSubmitResult, [HumanTaskSubmission]>('aosHumanTaskSubmit');

/**
 * Pauses the run at its next step boundary (workflows/pause.ts). An Update, so the caller learns whether the run
 * accepted it: a run paused already or ending refuses (`RunControlRejection`); accepted, it returns once `paused`
 * is mirrored.
 */
export const pauseUpdate = defineUpdate<RunControlResult, [RunControlRequest]>('aosPause');

/** Resumes a paused run; a run that is not paused refuses. Returns once the mirror shows the status underneath. */
export const resumeUpdate = defineUpdate<RunControlResult, [RunControlRequest]>('aosResume');

/** The interpreter's signature: starters pass it as the type argument, so `args` and the result are typed. */
export type InterpreterWorkflow = typeof interpreterWorkflow;

/**
 * Workflow type name of the interpreter. Start it with the signature as type argument,
 * `client.workflow.start<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, ...)`, so `args` are checked
 * (client code cannot import the workflow function itself: it belongs to the sandbox).
 */
export const INTERPRETER_WORKFLOW_TYPE = 'interpreterWorkflow';

/** Wakes the event dispatcher: events are due. */
export const dispatcherWakeSignal = defineSignal(DISPATCHER_WAKE_SIGNAL);

/** The dispatcher's signature: starters pass it as the type argument, so `args` are typed. */
export type EventDispatcherWorkflow = typeof eventDispatcherWorkflow;

/**
 * Workflow type name of the dispatcher, started with
 * `client.workflow.signalWithStart<EventDispatcherWorkflow, []>(EVENT_DISPATCHER_WORKFLOW_TYPE, ...)`.
 */
export const EVENT_DISPATCHER_WORKFLOW_TYPE = 'eventDispatcherWorkflow';

/** The single-task test's signature (type argument of `client.workflow.start`). */
export type TaskTestWorkflow = typeof taskTestWorkflow;

/** Workflow type name of the single-task test, started with `client.workflow.start<TaskTestWorkflow>(...)`. */
export const TASK_TEST_WORKFLOW_TYPE = 'taskTestWorkflow';

/** The signature of a schedule's action (type argument of the schedule's `startWorkflow` action). */
export type ScheduledRunWorkflow = typeof scheduledRunWorkflow;

/** Workflow type name of a schedule's action. */
export const SCHEDULED_RUN_WORKFLOW_TYPE = 'scheduledRunWorkflow';
