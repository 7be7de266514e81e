/** The event store's read side as the API serves it: stored events, their delivery state, list cursors. */
export { getEventByEventId, listEvents } from '../../db/repositories/event-instances';
export { getQueueState } from '../../db/repositories/event-queue-state';
export { decodeCursor, encodeCursor } from '../../db/repositories/keyset';
