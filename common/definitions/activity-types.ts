/**
 * The interpreter's activity contracts (declared in common/contracts/), re-exported and combined.
 * Types only: sandbox-safe.
 */
import type { DefinitionActivities } from '../contracts/definitions';
import type { HumanTaskActivities } from '../contracts/human-tasks';
import type { MirrorActivities } from '../contracts/mirror';
import type { TaskActivities } from '../contracts/tasks';
import type { TurnActivities } from '../contracts/turn';
import type { InterpreterEventActivities } from '../contracts/events';

export type { ResolveDefinitionRequest, ResolvedDefinition, DefinitionActivities } from '../contracts/definitions';
export type { MirrorStatus, MirrorWorkflowUpdate, MirrorActivities } from '../contracts/mirror';
export type { RunTaskRequest, TaskActivities } from '../contracts/tasks';
export type { TurnActivities } from '../contracts/turn';
export type {
  CloseSubscriptionRequest,
  EmitEventRequest,
  EmitEventResult,
  InterpreterEventActivities,
  RegisterSubscriptionRequest,
  RegisterSubscriptionResult,
} from '../contracts/events';

/** The engine's own regular activities (fixed retry profile, workflows/activities.ts engineActivities). */
export type EngineActivities = DefinitionActivities & InterpreterEventActivities;

/** Every activity the interpreter calls by name; the worker's composed record satisfies it (activities/index.ts). */
export type InterpreterActivities = TaskActivities &
  EngineActivities &
  MirrorActivities &
  TurnActivities &
  HumanTaskActivities;
