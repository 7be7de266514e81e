/**
 * Definition records addressed by row id (UI components, integration and test definitions): versioned like
 * the engine's definitions (business id + version, draft -> active -> deprecated, an active version's content
 * immutable), but served as generic rows. Unique and foreign-key violations surface as the API's 409s.
 */
import { AppError, type FieldError } from '../../common/errors';
import { DEFINITION_TRANSITIONS, type DefinitionStatus } from '../../db/repositories/definitions';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import type { Db } from '../../db/repositories/sql';
import { tableRows, type Row } from '../../db/repositories/table-rows';
import type { Precondition } from './versioned';

/** What differs between definition record kinds. */
export interface RecordKind {
  table: string;
  businessId: string;
  /** Noun for messages, e.g. `UI component`. */
  noun: string;
  /** Semantic checks beyond the schema (e.g. embedded schemas are valid); field errors under /body. */
  check?(body: Record<string, unknown>, db: Db): Promise<FieldError[]> | FieldError[];
  /**
   * Checks a create's body or an update's changed fields (over the `current` row) and derives the columns to
   * write (e.g. a reference resolved to a row id): every error under /body, or the values. Runs after `check`.
   */
  prepare?(
    db: Db,
    content: Record<string, unknown>,
    current?: Row,
  ): Promise<{ errors: FieldError[]; values: Record<string, unknown> }>;
}

/** Filters of a record list; undefined values are no filter. */
export interface RecordFilter {
  status?: string;
  businessId?: string;
  createdAfter?: string;
  createdBefore?: string;
  /** Substring of the name. */
  nameContains?: string;
}

/** The operations on one kind's records. */
export interface DefinitionRecords {
  list(db: Db, filter: RecordFilter, page: PageRequest): Promise<Page<Row>>;
  /** Checks and inserts a version. */
  create(db: Db, body: Record<string, unknown>, actor: string): Promise<Row>;
  /** A row, or 404. */
  get(db: Db, id: string): Promise<Row>;
  /** Content of a draft and/or a status move, under a row lock so the precondition and the write see one version. */
  update(
    db: Db,
    id: string,
    body: Record<string, unknown>,
    opts: { actor: string; precondition: Precondition<Row> },
  ): Promise<Row>;
  /** Deletes a version that is not active. */
  remove(db: Db, id: string): Promise<void>;
}

/** The record operations of `kind`. */
export function definitionRecords(kind: RecordKind): DefinitionRecords {
  const rows = tableRows(kind.table);
  /** Every error of the write (nothing is written when there is one), else the values to write. */
  const check = async (db: Db, content: Record<string, unknown>, current?: Row) => {
    const errors = [...((await kind.check?.(current ? { ...current, ...content } : content, db)) ?? [])];
    const prepared = kind.prepare ? await kind.prepare(db, content, current) : { errors: [], values: content };
    errors.push(...prepared.errors);
    if (errors.length) throw AppError.unprocessable(`The ${kind.noun} is invalid`, errors);
    return prepared.values;
  };
  const get = async (db: Db, id: string) => {
    const row = await rows.find(db, { id });
    if (!row) throw AppError.notFound(`${kind.noun} ${id} not found`);
    return row;
  };
  return {
    list: (db, f, page) =>
      rows.list(
        db,
        {
          equals: { status: f.status, [kind.businessId]: f.businessId },
          createdAfter: f.createdAfter,
          createdBefore: f.createdBefore,
          nameContains: f.nameContains,
        },
        page,
      ),
    async create(db, body, actor) {
      const values = await check(db, body);
      return rows.insert(db, { ...values, created_by: actor, updated_by: actor });
    },
    get,
    update(db, id, body, { actor, precondition }) {
      const { status, ...content } = body as { status?: DefinitionStatus } & Record<string, unknown>;
      return db.transaction(async (trx) => {
        // FOR UPDATE: the ETag check and the write must see the same version.
        const current = await rows.find(trx, { id }, { forUpdate: true });
        if (!current) throw AppError.notFound(`${kind.noun} ${id} not found`);
        precondition(current);
        if (Object.keys(content).length && current.status !== 'draft') {
          throw AppError.conflict(`${kind.noun} ${id} is ${current.status}: create a new version to change it`);
        }
        const allowed =
          !status ||
          status === current.status ||
          DEFINITION_TRANSITIONS[status].includes(current.status as DefinitionStatus);
        if (!allowed) {
          throw AppError.conflict(`Cannot move from ${current.status} to ${status}`);
        }
        // A status move alone is not re-prepared (its content was checked when written).
        const moveOnly = kind.prepare && Object.keys(content).length === 0;
        const values = moveOnly ? content : await check(trx, content, current);
        const updated = await rows.update(trx, { id }, { ...values, ...(status && { status }), updated_by: actor });
        if (!updated) throw AppError.notFound(`${kind.noun} ${id} not found`); // cannot happen: the row is locked
        return updated;
      });
    },
    async remove(db, id) {
      const row = await get(db, id);
      if (row.status === 'active') throw AppError.conflict(`${kind.noun} ${id} is active: deprecate it first`);
      await rows.remove(db, { id });
    },
  };
}
