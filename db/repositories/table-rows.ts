/**
 * Generic row queries for the tables the API serves through its generic resources (UI components,
 * integration and test definitions, test runs and results): one table, rows addressed by `id`, lists
 * newest first by keyset. Resource-specific repositories stay in their own files.
 */
import { paginate, type Page, type PageRequest } from './keyset';
import { toDb, type Db } from './sql';

/** Which rows a list returns; undefined values are no filter. */
export interface RowFilter {
  /** column = value for every defined entry. */
  equals?: Record<string, unknown>;
  /** created_at >= this instant. */
  createdAfter?: string;
  /** created_at < this instant. */
  createdBefore?: string;
  /** Case-insensitive substring of `name` (LIKE wildcards in it are taken literally). */
  nameContains?: string;
}

/** A row as stored (columns vary by table). */
export type Row = Record<string, unknown> & { id: string; status?: string; created_at: Date; updated_at: Date };

/** Queries of one table. */
export interface TableRows {
  list(db: Db, filter: RowFilter, page: PageRequest): Promise<Page<Row>>;
  /** The row matching `where`; `forUpdate` locks it (inside a transaction). */
  find(db: Db, where: Record<string, unknown>, opts?: { forUpdate?: boolean }): Promise<Row | undefined>;
  exists(db: Db, where: Record<string, unknown>): Promise<boolean>;
  insert(db: Db, values: object): Promise<Row>;
  /** Updates the row matching `where`; undefined when there is none. */
  update(db: Db, where: Record<string, unknown>, values: object): Promise<Row | undefined>;
  /** Deletes the rows matching `where`; how many went. */
  remove(db: Db, where: Record<string, unknown>): Promise<number>;
}

const defined = (o: Record<string, unknown> = {}) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Row queries of `table` (schema-qualified). */
export function tableRows(table: string): TableRows {
  return {
    async list(db, filter, page) {
      const q = db(table).where(defined(filter.equals));
      if (filter.createdAfter) q.where(`${table}.created_at`, '>=', filter.createdAfter);
      if (filter.createdBefore) q.where(`${table}.created_at`, '<', filter.createdBefore);
      if (filter.nameContains) q.where('name', 'ilike', `%${filter.nameContains.replace(/[\\%_]/g, '\\$&')}%`);
      return paginate<Row>(q, table, page);
    },
    async find(db, where, opts = {}) {
      const q = db(table).where(where);
      if (opts.forUpdate) q.forUpdate();
      return (await q.first()) as Row | undefined;
    },
    async exists(db, where) {
      return (await db(table).where(where).first('id')) !== undefined;
    },
    async insert(db, values) {
      const [row] = await db(table).insert(toDb(values)).returning('*');
      return row as Row;
    },
    async update(db, where, values) {
      const [row] = await db(table).where(where).update(toDb(values)).returning('*');
      return row as Row | undefined;
    },
    async remove(db, where) {
      return db(table).where(where).delete();
    },
  };
}
