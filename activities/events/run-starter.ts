/** The engine's run starter as routing uses it (services/runs `startRun`), injectable for tests. */
import { startRun } from '../../services/runs';

/** The start function's shape (START triggers pass `temporalWorkflowId` = `trg:<triggerId>:<eventId>`). */
export type StartRun = typeof startRun;

/** The engine's startRun. */
export function engineStartRun(): StartRun {
  return startRun;
}
