/**
 * Recorded runs of `scheduledRunWorkflow` (a schedule's action) for the replay fixtures: an action that watches
 * its run until it closes, one that does not watch (allow_all), and one cancelled (overlap policy cancel_other)
 * that cancels its run and waits for it to close. The activities are local fakes answering per workflow id.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type {
  ScheduleActivities,
  ScheduledRunArgs,
  ScheduledRunState,
  StartScheduledRunRequest,
} from '../../common/contracts/schedules';

/** One recorded action: whether it watches, how many looks find the run open, and how the recorder ends it. */
export interface ScheduleScenario {
  args: ScheduledRunArgs;
  watch: boolean;
  /** Looks that find the run still open before it closes (cancelled scenarios: until cancelled). */
  openLooks: number;
  drive: (client: Client, handle: WorkflowHandle) => Promise<void>;
}

const settle = async (_client: Client, handle: WorkflowHandle): Promise<void> => {
  await handle.result().catch(() => undefined);
};

/** Schedule action scenarios by fixture name. */
export const SCHEDULE_SCENARIOS: Record<string, ScheduleScenario> = {
  'scheduled-run-watched': { args: { scheduleRowId: 'row-1' }, watch: true, openLooks: 2, drive: settle },
  'scheduled-run-allow-all': { args: { scheduleRowId: 'row-2' }, watch: false, openLooks: 0, drive: settle },
  'scheduled-run-cancelled': {
    args: { scheduleRowId: 'row-3' },
    watch: true,
    openLooks: Number.POSITIVE_INFINITY,
    drive: async (_client, handle) => {
      while (!((await handle.fetchHistory()).events ?? []).some((e) => e.activityTaskCompletedEventAttributes))
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      await handle.cancel();
      await settle(_client, handle);
    },
  },
};

const looks = new Map<string, number>();
const cancelled = new Set<string>();
const scenarioOf = () => {
  const name = (Context.current().info.workflowExecution?.workflowId ?? '').replace(/^replay-/, '');
  const scenario = SCHEDULE_SCENARIOS[name];
  if (!scenario) throw new Error(`no schedule scenario ${name}`);
  return { name, scenario };
};

/** The fake schedule activities. */
export const scheduleActivities: ScheduleActivities = {
  async startScheduledRun(_req: StartScheduledRunRequest) {
    const { name, scenario } = scenarioOf();
    return {
      instanceId: `instance-${name}`,
      workflowId: `run-${name}`,
      watch: scenario.watch,
      failOnRunFailure: false,
    };
  },
  async scheduledRunState(): Promise<ScheduledRunState> {
    const { name, scenario } = scenarioOf();
    const n = looks.get(name) ?? 0;
    looks.set(name, n + 1);
    if (cancelled.has(name)) return { closed: true, status: 'CANCELLED' };
    if (n < scenario.openLooks) {
      await new Promise((r) => setTimeout(r, 200));
      return { closed: false, status: 'RUNNING' };
    }
    return { closed: true, status: 'COMPLETED' };
  },
  async cancelScheduledRun() {
    cancelled.add(scenarioOf().name);
  },
};
