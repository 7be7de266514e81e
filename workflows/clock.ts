/**
 * The run's clock. Test runs (#14) compress time: with `options.timeScale` = k every duration of the definition
 * (delays, wait, step and workflow timeouts, retry intervals, human-task due times and escalations) lasts 1/k of
 * its written length, so a case with a three-day timeout finishes in seconds. The scale is part of the run's input,
 * so its history replays with the same timers. Activity timeouts are not compressed (a real task keeps its time);
 * mocked tasks simulate theirs (activities/testing/mocks.ts). Timestamps ($now, Date.now()) are real time.
 */
import type { InterpreterOptions } from '../common/definitions/types';

/** The real (workflow-time) length of a definition duration of `ms` under the run's time scale. */
export function runMs(options: InterpreterOptions | undefined, ms: number): number {
  const scale = options?.timeScale;
  if (scale === undefined || scale === 1 || ms <= 0) return ms;
  // At least 1 ms: a positive duration stays a timer, so the order of events in the run is kept.
  return Math.max(1, Math.ceil(ms / scale));
}
