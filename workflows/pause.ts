/**
 * Pause and resume (#15). A pause holds the run before its next step starts, at every nesting level (a parallel
 * branch or a foreach iteration stops at its own next step); steps already running go on: a task finishes, a wait
 * keeps waiting and takes its event. Timers are not stopped: delays, step and wait timeouts and the workflow
 * timeout keep counting while the run is paused. The run is mirrored `paused` until resumed, then `waiting` or
 * `running` as it is underneath.
 */
import { ApplicationFailure, condition, log } from '@temporalio/workflow';
import { RunControlRejection, type RunControlRequest, type RunControlResult } from '../common/contracts/run-control';
import { mirrorStatus } from './mirror';
import type { RunState } from './runtime';

const rejection = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

const underneath = (run: RunState): RunControlResult['status'] => (run.waiting > 0 ? 'waiting' : 'running');

function checkOpen(run: RunState, req: RunControlRequest): void {
  if (req !== undefined && req !== null && typeof req !== 'object')
    throw rejection(RunControlRejection.Invalid, 'the request must be an object { reason?, by? }');
  if (run.status !== 'running' && run.status !== 'waiting')
    throw rejection(RunControlRejection.Ending, `the run is ending (${run.status})`);
}

/** The pause Update's validator: refuses a run paused already or ending. */
export function checkPause(run: RunState, req: RunControlRequest): void {
  checkOpen(run, req);
  if (run.paused) throw rejection(RunControlRejection.AlreadyPaused, 'the run is paused already');
}

/** The resume Update's validator: refuses a run that is not paused. */
export function checkResume(run: RunState, req: RunControlRequest): void {
  checkOpen(run, req);
  if (!run.paused) throw rejection(RunControlRejection.NotPaused, 'the run is not paused');
}

/** Pauses (synchronously, so a second pause validated after it is refused), then mirrors `paused`. */
export async function pauseRun(run: RunState, req: RunControlRequest = {}): Promise<RunControlResult> {
  run.paused = true;
  log.info('run paused', { by: req.by, reason: req.reason });
  await mirrorStatus(run, 'paused');
  return { paused: true, status: underneath(run) };
}

/** Resumes: held steps start, and the mirror shows what the run does underneath. */
export async function resumeRun(run: RunState, req: RunControlRequest = {}): Promise<RunControlResult> {
  run.paused = false;
  log.info('run resumed', { by: req.by, reason: req.reason });
  await mirrorStatus(run, underneath(run));
  return { paused: false, status: underneath(run) };
}

/** Before a step starts: the hold while paused (undefined when not paused, without creating a promise). */
export function pauseGate(run: RunState): Promise<void> | undefined {
  return run.paused ? condition(() => !run.paused) : undefined;
}
