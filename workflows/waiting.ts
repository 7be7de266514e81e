/**
 * The run's `waiting` status: while at least one step waits for the outside world (wait_for_event, human_task)
 * the run is mirrored as `waiting` and AosCurrentStep names the first waiting step.
 */
import { CancellationScope, upsertSearchAttributes } from '@temporalio/workflow';
import { AosCurrentStep } from '../common/search-attributes';
import { mirrorStatus } from './mirror';
import type { RunState } from './runtime';

// Status and AosCurrentStep change only when the first wait starts and the last one ends, to keep history small.
/** A step starts waiting. */
export async function enterWaiting(run: RunState, stepId: string): Promise<void> {
  run.waiting += 1;
  if (run.waiting > 1) return;
  run.status = 'waiting';
  if (run.input.options?.currentStepSearchAttribute !== false)
    upsertSearchAttributes({ [AosCurrentStep.name]: [stepId] });
  // A paused run stays mirrored `paused`; resuming mirrors what it does then.
  if (!run.paused) await mirrorStatus(run, 'waiting');
}

/** A step stops waiting (in a finally: also when it is cancelled). */
export async function leaveWaiting(run: RunState): Promise<void> {
  run.waiting -= 1;
  if (run.waiting > 0 || run.status !== 'waiting') return;
  run.status = 'running';
  if (CancellationScope.current().consideredCancelled) return; // the run is ending; its final mirror write follows
  if (run.input.options?.currentStepSearchAttribute !== false) upsertSearchAttributes({ [AosCurrentStep.name]: [] });
  if (!run.paused) await mirrorStatus(run, 'running');
}
