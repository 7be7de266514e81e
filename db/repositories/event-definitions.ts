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

/** What ingest reads of an event definition (besides its payload schema). */
export interface EventDefinitionHead {
  id: string;
  version: string;
  status: string;
  sourceTypes: string[];
  sequenceKeyPath: string | null;
  updatedAt: string;
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

  /**
   * The definition ingest validates against: exact version if given, else the latest active one for the
   * pattern; the columns ingest needs, `updatedAt` as text (full precision: it keys the compiled validator).
   */
  async getForPattern(db: Db, pattern: string, version?: string): Promise<EventDefinitionHead | undefined> {
    const q = db(EVENT_DEFINITIONS)
      .where({ pattern })
      .select(
        'id',
        'version',
        'status',
        'source_types as sourceTypes',
        'sequence_key_path as sequenceKeyPath',
        db.raw('updated_at::text AS "updatedAt"'),
      );
    if (version) q.where({ version });
    else q.where({ status: 'active' }).orderBy('created_at', 'desc');
    return (await q.first()) as EventDefinitionHead | undefined;
  },

  /** The payload schema of a definition row (null: payloads are not checked). */
  async getPayloadSchema(db: Db, id: string): Promise<Record<string, unknown> | null | undefined> {
    const row = (await db(EVENT_DEFINITIONS).where({ id }).first('payload_schema')) as
      { payload_schema: Record<string, unknown> | null } | undefined;
    return row?.payload_schema;
  },
};
