/**
 * The workflow type and signal of `eventDispatcherWorkflow`. Client code (the hand-off, redrive, the sweeper)
 * imports these definitions, never string names alone, so the two sides cannot drift.
 */
import { defineSignal } from '@temporalio/workflow';
import { DISPATCHER_WAKE_SIGNAL } from '../common/events/delivery';
import type { eventDispatcherWorkflow } from './event-dispatcher';

/** Wakes the dispatcher: events are due. */
export const dispatcherWakeSignal = defineSignal(DISPATCHER_WAKE_SIGNAL);

/** The dispatcher's signature: starters pass it as the type argument, so `args` are typed. */
export type EventDispatcherWorkflow = typeof eventDispatcherWorkflow;

/**
 * Workflow type name of the dispatcher. Start it with the signature as type argument,
 * `client.workflow.signalWithStart<EventDispatcherWorkflow, []>(EVENT_DISPATCHER_WORKFLOW_TYPE, ...)`
 * (client code does not import the workflow function itself: it belongs to the sandbox).
 */
export const EVENT_DISPATCHER_WORKFLOW_TYPE = 'eventDispatcherWorkflow';
