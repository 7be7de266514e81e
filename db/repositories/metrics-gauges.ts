/**
 * The counts behind the platform's scrape-time gauges (services/observability/metrics.ts): one statement, three
 * counts, each served by an index-friendly filter.
 */
import type { Db } from './sql';

/** What the gauges show. */
export interface GaugeCounts {
  /** event_queue_state rows the dispatcher still has to deliver and that are due now. */
  dispatcherBacklog: number;
  /** Dead letters nobody has redriven or discarded yet. */
  deadLettersOpen: number;
  /** Human tasks waiting for a person (task_instances of step_type human_task, status waiting). */
  humanTasksOpen: number;
}

const SQL = `
SELECT
  (SELECT count(*) FROM event_processing_service.event_queue_state q
    WHERE q.consumer = 'router' AND q.status IN ('pending', 'failed', 'delivering') AND q.next_attempt_at <= now())
    AS dispatcher_backlog,
  (SELECT count(*) FROM event_processing_service.dead_letter_queue d WHERE d.status = 'open') AS dead_letters_open,
  (SELECT count(*) FROM task_execution_service.task_instances t
    WHERE t.step_type = 'human_task' AND t.status = 'waiting') AS human_tasks_open`;

/** Counts the gauges' rows now. */
export async function countGaugeRows(db: Db): Promise<GaugeCounts> {
  const result = (await db.raw(SQL)) as { rows: Array<Record<string, string | number>> };
  const row = result.rows[0] ?? {};
  return {
    dispatcherBacklog: Number(row.dispatcher_backlog ?? 0),
    deadLettersOpen: Number(row.dead_letters_open ?? 0),
    humanTasksOpen: Number(row.human_tasks_open ?? 0),
  };
}
