/** Contract of the interpreter's pause and resume Updates (workflows/pause.ts). Types only: sandbox-safe. */

/** What an operator sends with a pause or resume. */
export interface RunControlRequest {
  /** Why (shown in the control history). */
  reason?: string;
  /** Who (username), for the run's log. */
  by?: string;
}

/** The run's answer: whether it is paused now, and its status underneath (running or waiting). */
export interface RunControlResult {
  paused: boolean;
  /** What the run does under the pause: `running` (held before its next step, or steps still finishing) or `waiting`. */
  status: 'running' | 'waiting';
}

/** Why the run refused a pause or resume (ApplicationFailure types of the Updates' validators). */
export const RunControlRejection = {
  /** Pause of a run that is paused already. */
  AlreadyPaused: 'RunAlreadyPaused',
  /** Resume of a run that is not paused. */
  NotPaused: 'RunNotPaused',
  /** The run is ending (its final status is being written): nothing to hold. */
  Ending: 'RunEnding',
  /** The request is not an object. */
  Invalid: 'RunControlInvalid',
} as const;
