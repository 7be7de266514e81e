/**
 * The lifecycle every versioned definition kind shares (workflow, task and event definitions): versions keyed
 * by (business id, version), draft -> active -> deprecated, an active version immutable except for its status,
 * a duplicate version a 409. Each kind's file adds its validation and row mapping and calls these steps.
 */
import { AppError } from '../../common/errors';
import type {
  DefinitionFilter,
  DefinitionRepository,
  DefinitionRowBase,
  DefinitionStatus,
} from '../../db/repositories/definitions';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { isUniqueViolation, type Db } from '../../db/repositories/sql';
import { highest } from './semver';

/** Who is acting (for created_by / updated_by). */
export interface Actor {
  actor?: string;
}

/** Checked against the current row before a write (the route's If-Match check); throws to refuse. */
export type Precondition<Row> = (current: Row) => void;

/** What differs between the versioned definition kinds. */
export interface VersionedKind<Row extends DefinitionRowBase, Insert> {
  /** Capitalised noun for messages, e.g. `Workflow definition`. */
  label: string;
  /** The business id column, e.g. `workflow_id`. */
  businessId: string;
  repository: DefinitionRepository<Row, Insert>;
  /** The active version a read without version answers: highest by semver, or the newest created. */
  current: 'highest' | 'newest';
  /** How a missing or duplicate version is named; default `<label> <id> version <version>`. */
  named?(id: string, version: string): string;
  /** How a version is named in state conflicts; default `<label> <id>@<version>`. */
  ref?(id: string, version: string): string;
}

/** Options of a status move. */
export interface MoveOptions<Row> extends Actor {
  precondition?: Precondition<Row>;
  /** Runs before the move (e.g. a workflow's tasks must resolve before it is activated). */
  before?(current: Row): Promise<void>;
  /** The 409 wording when the current status forbids the move; default `cannot move from <from> to <to>`. */
  refused?(from: DefinitionStatus): string;
}

/** Options of a draft replacement by a whole document (workflow and task definitions). */
export interface ReplaceOptions<Row, Insert> extends Actor {
  precondition?: Precondition<Row>;
  /** Throws (422) when the document is invalid. */
  validate(doc: unknown): Promise<void>;
  /** The columns the document writes. */
  values(doc: Record<string, unknown>, actor?: string): Partial<Insert>;
  /** Refuse a non-draft before looking at the body (workflow) or after validating it (task). */
  immutableFirst: boolean;
  /** The field message when the body names another id or version. */
  mismatch: string;
}

/** The lifecycle steps of one kind. */
export interface Versioned<Row extends DefinitionRowBase, Insert> {
  /** A page of versions, newest first. */
  list(db: Db, filter: DefinitionFilter, page: PageRequest): Promise<Page<Row>>;
  /** Whether a version with row id `rowId` exists. */
  exists(db: Db, rowId: string): Promise<boolean>;
  /** A version, or 404. */
  getVersion(db: Db, id: string, version: string): Promise<Row>;
  /** Every version, oldest first; 404 when there is none. */
  listVersions(db: Db, id: string): Promise<Row[]>;
  /** The current active version (see {@link VersionedKind.current}), else the newest version; 404 when none. */
  getCurrent(db: Db, id: string): Promise<Row>;
  /** Inserts a version; 409 with `conflict` (default: `<named> already exists; create a new version`). */
  insert(db: Db, values: Insert, conflict?: string): Promise<Row>;
  /** 409 unless `current` is a draft (active and deprecated versions are immutable). */
  assertDraft(current: Row): void;
  /** Writes a draft's new content; 409 when it stopped being a draft meanwhile. */
  writeDraft(db: Db, current: Row, values: Partial<Insert>): Promise<Row>;
  /**
   * Replaces a draft with a whole document that must name the same business id and version: 404, the
   * precondition, then 409 (not a draft), 422 (other id or version) and 422 (invalid) in the kind's order.
   */
  replaceDraft(db: Db, id: string, version: string, doc: unknown, opts: ReplaceOptions<Row, Insert>): Promise<Row>;
  /** Moves a version to `to` (no-op when it is there already); 409 when its status forbids the move. */
  move(
    db: Db,
    id: string,
    version: string,
    to: Exclude<DefinitionStatus, 'draft'>,
    opts?: MoveOptions<Row>,
  ): Promise<Row>;
  /** Deletes a version that is not active (409 when it is). */
  remove(db: Db, id: string, version: string, precondition?: Precondition<Row>): Promise<void>;
}

/** The lifecycle steps of `kind`. */
export function versioned<Row extends DefinitionRowBase, Insert>(
  kind: VersionedKind<Row, Insert>,
): Versioned<Row, Insert> {
  const repo = kind.repository;
  const named = kind.named ?? ((id: string, version: string) => `${kind.label} ${id} version ${version}`);
  const ref = kind.ref ?? ((id: string, version: string) => `${kind.label} ${id}@${version}`);
  const idOf = (row: Row | Insert) => (row as Record<string, unknown>)[kind.businessId] as string;

  const getVersion = async (db: Db, id: string, version: string) => {
    const row = await repo.getVersion(db, id, version);
    if (!row) throw AppError.notFound(`${named(id, version)} not found`);
    return row;
  };
  const listVersions = async (db: Db, id: string) => {
    const rows = await repo.listVersions(db, id);
    if (rows.length === 0) throw AppError.notFound(`${kind.label} ${id} not found`);
    return rows;
  };
  const assertDraft = (current: Row) => {
    if (current.status === 'draft') return;
    const what = ref(idOf(current), current.version);
    throw AppError.conflict(`${what} is ${current.status} and immutable; create a new version`);
  };
  const writeDraft = async (db: Db, current: Row, values: Partial<Insert>) => {
    const row = await repo.updateDraft(db, current.id, values);
    if (!row) throw AppError.conflict(`${ref(idOf(current), current.version)} is no longer a draft`);
    return row;
  };

  return {
    list: (db, filter, page) => repo.list(db, filter, page),
    exists: (db, rowId) => repo.exists(db, rowId),
    getVersion,
    listVersions,
    async getCurrent(db, id) {
      const rows = await listVersions(db, id);
      const active = rows.filter((r) => r.status === 'active');
      return (kind.current === 'highest' ? highest(active) : active.at(-1)) ?? (rows.at(-1) as Row);
    },
    async insert(db, values, conflict) {
      try {
        return await repo.insert(db, values);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const { version } = values as { version: string };
        throw AppError.conflict(conflict ?? `${named(idOf(values), version)} already exists; create a new version`);
      }
    },
    assertDraft,
    writeDraft,
    async replaceDraft(db, id, version, doc, opts) {
      const current = await getVersion(db, id, version);
      opts.precondition?.(current);
      if (opts.immutableFirst) assertDraft(current);
      const d = doc as Record<string, unknown>;
      if (d && typeof d === 'object' && (d[kind.businessId] !== id || d.version !== version)) {
        const detail = `${kind.businessId} and version of the body must match the URL`;
        throw AppError.unprocessable(detail, [{ pointer: '/body/version', message: opts.mismatch }]);
      }
      await opts.validate(doc);
      if (!opts.immutableFirst) assertDraft(current);
      return writeDraft(db, current, opts.values(d, opts.actor));
    },
    async move(db, id, version, to, opts = {}) {
      const current = await getVersion(db, id, version);
      opts.precondition?.(current);
      if (current.status === to) return current;
      await opts.before?.(current);
      const row = await repo.setStatus(db, current.id, to, opts.actor);
      const refused = opts.refused?.(current.status) ?? `cannot move from ${current.status} to ${to}`;
      if (!row) throw AppError.conflict(`${ref(id, version)} ${refused}`);
      return row;
    },
    async remove(db, id, version, precondition) {
      const current = await getVersion(db, id, version);
      precondition?.(current);
      if (current.status === 'active') throw AppError.conflict(`${ref(id, version)} is active; deprecate it first`);
      await repo.remove(db, current.id);
    },
  };
}
