/**
 * Signals and queries of `interpreterWorkflow`. Client code imports these definitions
 * (never string names) so the two sides cannot drift.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EventEnvelope, InterpreterState } from '../common/definitions/types';

/** Delivers an event to a waiting (or soon waiting) `wait_for_event` step; deduplicated by eventId. */
export const aosEventSignal = defineSignal<[EventEnvelope]>('aosEvent');

/** Live state: status, current and completed steps, variables, step outputs. */
export const aosStateQuery = defineQuery<InterpreterState>('aosState');

/** Workflow type name of the interpreter, for starters that use the string form. */
export const INTERPRETER_WORKFLOW_TYPE = 'interpreterWorkflow';
