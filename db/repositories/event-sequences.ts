/** event_processing_service.event_sequences: gap-free numbering and delivery progress per sequence key. */
import type { Db } from './sql';

/** A row of event_sequences. */
export interface EventSequenceRow {
  id: string;
  sequence_key: string;
  last_number: number;
  last_delivered_number: number;
  created_at: Date;
  updated_at: Date;
}

export const EVENT_SEQUENCES = 'event_processing_service.event_sequences';

/** Records that `number` was delivered; only moves forward. Returns the stored row. */
export async function markSequenceDelivered(
  db: Db,
  sequenceKey: string,
  number: number,
): Promise<EventSequenceRow | undefined> {
  const [row] = await db(EVENT_SEQUENCES)
    .where({ sequence_key: sequenceKey })
    .update({ last_delivered_number: db.raw('GREATEST(last_delivered_number, ?)', [number]) })
    .returning('*');
  return row as EventSequenceRow | undefined;
}

/** The sequence row of a key. */
export async function getSequence(db: Db, sequenceKey: string): Promise<EventSequenceRow | undefined> {
  return (await db(EVENT_SEQUENCES).where({ sequence_key: sequenceKey }).first()) as EventSequenceRow | undefined;
}
