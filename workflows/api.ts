/**
 * The workflow type, signals and queries of `interpreterWorkflow`. Client code imports these definitions
 * (never string names alone) so the two sides cannot drift.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EventEnvelope, InterpreterState } from '../common/definitions/types';
import type { interpreterWorkflow } from './interpreter';

/** Delivers an event to a waiting (or soon waiting) `wait_for_event` step; deduplicated by eventId. */
export const aosEventSignal = defineSignal<[EventEnvelope]>('aosEvent');

/** Live state: status, current and completed steps, variables, step outputs. */
export const aosStateQuery = defineQuery<InterpreterState>('aosState');

/** The interpreter's signature: starters pass it as the type argument, so `args` and the result are typed. */
export type InterpreterWorkflow = typeof interpreterWorkflow;

/**
 * Workflow type name of the interpreter. Start it with the signature as type argument,
 * `client.workflow.start<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, ...)`, so `args` are checked
 * (client code cannot import the workflow function itself: it belongs to the sandbox).
 */
export const INTERPRETER_WORKFLOW_TYPE = 'interpreterWorkflow';
