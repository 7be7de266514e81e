/**
 * Plain records: unversioned rows served as generic CRUD resources (test runs, test case results), optionally
 * nested under a parent row. Every read and write is scoped to the parent; a missing parent is a 404.
 */
import { AppError } from '../common/errors';
import type { Page, PageRequest } from '../db/repositories/keyset';
import type { Db } from '../db/repositories/sql';
import { tableRows, type Row, type RowFilter } from '../db/repositories/table-rows';

/** Where the records live. */
export interface RecordTable {
  table: string;
  /** Noun for messages, e.g. `test run`. */
  noun: string;
  /** The parent row: the child's column that references it, and the parent's table. */
  parent?: { column: string; table: string };
}

/** The operations on one table's records; `parentId` scopes them when the table has a parent. */
export interface PlainRecords {
  list(db: Db, parentId: string | undefined, filter: RowFilter, page: PageRequest): Promise<Page<Row>>;
  create(db: Db, parentId: string | undefined, values: Record<string, unknown>): Promise<Row>;
  /** A row, or 404. */
  get(db: Db, parentId: string | undefined, id: string): Promise<Row>;
  /** Updates a row, or 404. */
  update(db: Db, parentId: string | undefined, id: string, values: Record<string, unknown>): Promise<Row>;
  /** Deletes a row, or 404. */
  remove(db: Db, parentId: string | undefined, id: string): Promise<void>;
}

/** The record operations of `t`. */
export function plainRecords(t: RecordTable): PlainRecords {
  const rows = tableRows(t.table);
  const scope = (parentId?: string) => (t.parent ? { [t.parent.column]: parentId } : {});
  const parentExists = async (db: Db, parentId?: string) => {
    if (!t.parent) return;
    const found = await tableRows(t.parent.table).exists(db, { id: parentId });
    if (!found) throw AppError.notFound(`Parent ${parentId} not found`);
  };
  const notFound = (id: string) => AppError.notFound(`${t.noun} ${id} not found`);
  return {
    async list(db, parentId, filter, page) {
      await parentExists(db, parentId);
      return rows.list(db, { ...filter, equals: { ...scope(parentId), ...filter.equals } }, page);
    },
    async create(db, parentId, values) {
      await parentExists(db, parentId);
      return rows.insert(db, { ...values, ...scope(parentId) });
    },
    async get(db, parentId, id) {
      const row = await rows.find(db, { id, ...scope(parentId) });
      if (!row) throw notFound(id);
      return row;
    },
    async update(db, parentId, id, values) {
      const row = await rows.update(db, { id, ...scope(parentId) }, values);
      if (!row) throw notFound(id);
      return row;
    },
    async remove(db, parentId, id) {
      if ((await rows.remove(db, { id, ...scope(parentId) })) === 0) throw notFound(id);
    },
  };
}
