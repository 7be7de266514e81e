/**
 * One repository shape for the versioned definition tables (workflow, task, event, ...): rows are
 * keyed by (business id, version), move draft -> active -> deprecated, and keep history by trigger.
 */
import type { Db } from './sql';
import { toDb, transition } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Lifecycle of a definition version. */
export type DefinitionStatus = 'draft' | 'active' | 'deprecated';

/** Columns every definition table has. */
export interface DefinitionRowBase {
  id: string;
  version: string;
  name: string;
  description: string | null;
  status: DefinitionStatus;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Filters of a definition list. */
export interface DefinitionFilter {
  status?: DefinitionStatus;
  /** Exact business id: all versions of one definition. */
  businessId?: string;
  /** Substring of the name (served by the pg_trgm index). */
  search?: string;
  /** Created at or after / before these instants (RFC 3339). */
  createdAfter?: string;
  createdBefore?: string;
}

/** Allowed status moves: an active version is immutable except for deprecation. */
export const DEFINITION_TRANSITIONS: Record<DefinitionStatus, readonly DefinitionStatus[]> = {
  draft: [],
  active: ['draft', 'deprecated'],
  deprecated: ['draft', 'active'],
};

/** The repository functions of one definition table. */
export interface DefinitionRepository<Row extends DefinitionRowBase, Insert> {
  insert(db: Db, values: Insert): Promise<Row>;
  /** Insert or, when (business id, version) exists, overwrite it (seeds; drafts edited in place). */
  upsert(db: Db, values: Insert): Promise<Row>;
  getById(db: Db, id: string): Promise<Row | undefined>;
  /** Whether a version with row id `id` exists. */
  exists(db: Db, id: string): Promise<boolean>;
  getVersion(db: Db, businessId: string, version: string): Promise<Row | undefined>;
  /** The most recently created active version. */
  getLatestActive(db: Db, businessId: string): Promise<Row | undefined>;
  listVersions(db: Db, businessId: string): Promise<Row[]>;
  list(db: Db, filter?: DefinitionFilter, page?: PageRequest): Promise<Page<Row>>;
  /** Moves a version to `to` if its current status allows it; undefined when missing or not allowed. */
  setStatus(db: Db, id: string, to: DefinitionStatus, updatedBy?: string): Promise<Row | undefined>;
  /** Updates a draft's fields; undefined when missing or no longer a draft (active versions are immutable). */
  updateDraft(db: Db, id: string, values: Partial<Insert>): Promise<Row | undefined>;
  /** Deletes a version by row id. */
  remove(db: Db, id: string): Promise<void>;
  /** (business id, version) of every version of the given business ids. */
  versionKeys(db: Db, businessIds: string[]): Promise<Array<{ businessId: string; version: string }>>;
}

/** Builds the repository of the definition table `table` whose business id column is `businessId`. */
export function definitionRepository<Row extends DefinitionRowBase, Insert extends object>(
  table: string,
  businessId: string,
): DefinitionRepository<Row, Insert> {
  const alias = table.split('.')[1] ?? table;
  return {
    async insert(db, values) {
      const [row] = await db(table).insert(toDb(values)).returning('*');
      return row as Row;
    },
    async upsert(db, values) {
      const data = toDb(values);
      const [row] = await db(table)
        .insert(data)
        .onConflict([businessId, 'version'])
        .merge(Object.keys(data))
        .returning('*');
      return row as Row;
    },
    async getById(db, id) {
      return (await db(table).where({ id }).first()) as Row | undefined;
    },
    async exists(db, id) {
      return (await db(table).where({ id }).first('id')) !== undefined;
    },
    async getVersion(db, id, version) {
      return (await db(table)
        .where({ [businessId]: id, version })
        .first()) as Row | undefined;
    },
    async getLatestActive(db, id) {
      return (await db(table)
        .where({ [businessId]: id, status: 'active' })
        .orderBy('created_at', 'desc')
        .first()) as Row | undefined;
    },
    async listVersions(db, id) {
      return (await db(table)
        .where({ [businessId]: id })
        .orderBy('created_at', 'asc')) as Row[];
    },
    async list(db, filter = {}, page = {}) {
      const q = db(`${table} as ${alias}`);
      if (filter.status) q.where(`${alias}.status`, filter.status);
      if (filter.businessId) q.where(`${alias}.${businessId}`, filter.businessId);
      if (filter.search) q.where(`${alias}.name`, 'ilike', `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`);
      if (filter.createdAfter) q.where(`${alias}.created_at`, '>=', filter.createdAfter);
      if (filter.createdBefore) q.where(`${alias}.created_at`, '<', filter.createdBefore);
      return paginate<Row>(q, alias, page);
    },
    async setStatus(db, id, to, updatedBy) {
      const stamp =
        to === 'active' && table.endsWith('workflow_definitions')
          ? { activated_at: new Date() }
          : to === 'deprecated' && table.endsWith('workflow_definitions')
            ? { deprecated_at: new Date() }
            : {};
      return transition<Row>(db, table, id, to, DEFINITION_TRANSITIONS[to], { ...stamp, updated_by: updatedBy });
    },
    async updateDraft(db, id, values) {
      const [row] = await db(table).where({ id, status: 'draft' }).update(toDb(values)).returning('*');
      return row as Row | undefined;
    },
    async remove(db, id) {
      await db(table).where({ id }).delete();
    },
    async versionKeys(db, ids) {
      if (ids.length === 0) return [];
      return db(table).select(`${businessId} as businessId`, 'version').whereIn(businessId, ids);
    },
  };
}
