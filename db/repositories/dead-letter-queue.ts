/** event_processing_service.dead_letter_queue: deliveries that exhausted their attempts. */
import type { Db } from './sql';
import { toDb, transition } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Lifecycle of a dead letter. */
export type DeadLetterStatus = 'open' | 'redriven' | 'discarded';

/** A row of dead_letter_queue. */
export interface DeadLetterRow {
  id: string;
  event_instance_id: string | null;
  event_queue_state_id: string | null;
  event_id: string;
  consumer: string;
  error: unknown;
  context: Record<string, unknown>;
  attempts: number;
  status: DeadLetterStatus;
  redrive_count: number;
  redriven_at: Date | null;
  discarded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Values of a new dead letter. */
export type DeadLetterInsert = Pick<DeadLetterRow, 'event_id' | 'error'> &
  Partial<Pick<DeadLetterRow, 'event_instance_id' | 'event_queue_state_id' | 'consumer' | 'context' | 'attempts'>>;

export const DEAD_LETTER_QUEUE = 'event_processing_service.dead_letter_queue';

/** Adds a dead letter; if one is already open for (event, consumer) it is updated instead (one open letter each). */
export async function addDeadLetter(db: Db, values: DeadLetterInsert): Promise<DeadLetterRow> {
  const data = toDb({ consumer: 'router', ...values });
  const [row] = await db(DEAD_LETTER_QUEUE)
    .insert(data)
    .onConflict(db.raw("(event_id, consumer) WHERE status = 'open'"))
    .merge(['error', 'context', 'attempts'])
    .returning('*');
  return row as DeadLetterRow;
}

/** A dead letter by id. */
export async function getDeadLetter(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return (await db(DEAD_LETTER_QUEUE).where({ id }).first()) as DeadLetterRow | undefined;
}

/** open -> redriven; undefined when missing or not open. */
export async function markRedriven(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return transition<DeadLetterRow>(db, DEAD_LETTER_QUEUE, id, 'redriven', ['open'], {
    redriven_at: new Date(),
    redrive_count: db.raw('redrive_count + 1'),
  });
}

/** open -> discarded; undefined when missing or not open. */
export async function discardDeadLetter(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return transition<DeadLetterRow>(db, DEAD_LETTER_QUEUE, id, 'discarded', ['open'], { discarded_at: new Date() });
}

/** Lists dead letters newest first. */
export async function listDeadLetters(
  db: Db,
  f: { status?: DeadLetterStatus; eventId?: string } = {},
  page: PageRequest = {},
): Promise<Page<DeadLetterRow>> {
  const q = db(`${DEAD_LETTER_QUEUE} as d`);
  if (f.status) q.where('d.status', f.status);
  if (f.eventId) q.where('d.event_id', f.eventId);
  return paginate<DeadLetterRow>(q, 'd', page);
}
