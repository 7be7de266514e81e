/** event_processing_service.event_definitions: event types and their payload schemas (documented columns). */
import type { Db } from './sql';
import { definitionRepository, type DefinitionRowBase, type DefinitionStatus } from './definitions';

/** A row of event_definitions. */
export interface EventDefinitionRow extends DefinitionRowBase {
  event_id: string;
  pattern: string;
  source_types: string[];
  payload_schema: Record<string, unknown> | null;
  examples: unknown[];
  ui_metadata: Record<string, unknown> | null;
  sequence_key_path: string | null;
}

/** Values to insert an event definition version. */
export interface EventDefinitionInsert {
  event_id: string;
  version: string;
  name: string;
  description?: string | null;
  status?: DefinitionStatus;
  pattern: string;
  source_types?: string[];
  payload_schema?: object | null;
  examples?: unknown[];
  ui_metadata?: object | null;
  sequence_key_path?: string | null;
  created_by?: string | null;
  updated_by?: string | null;
}

export const EVENT_DEFINITIONS = 'event_processing_service.event_definitions';

/** Repository of event definitions (business key: event_id + version; (pattern, version) is unique too). */
export const eventDefinitions = {
  ...definitionRepository<EventDefinitionRow, EventDefinitionInsert>(EVENT_DEFINITIONS, 'event_id'),

  /** The pattern another version of `eventId` uses when it is not `pattern` (all versions share one pattern). */
  async otherPattern(db: Db, eventId: string, pattern: string): Promise<string | undefined> {
    const row = await db(EVENT_DEFINITIONS).where({ event_id: eventId }).whereNot({ pattern }).first('pattern');
    return row?.pattern as string | undefined;
  },

  /** The definition ingest validates against: exact version if given, else the latest active one for the pattern. */
  async getForPattern(db: Db, pattern: string, version?: string): Promise<EventDefinitionRow | undefined> {
    const q = db(EVENT_DEFINITIONS).where({ pattern });
    if (version) q.where({ version });
    else q.where({ status: 'active' }).orderBy('created_at', 'desc');
    return (await q.first()) as EventDefinitionRow | undefined;
  },
};
