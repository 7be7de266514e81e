/**
 * Query-string schemas shared by every list route (`limit`, `cursor`, `created_after`, `created_before`,
 * and the optional `status`, `definition`, `correlation_key` filters) and the code that applies them.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Knex } from 'knex';
import type { JsonSchema } from './route';
import { DEFAULT_LIMIT, MAX_LIMIT } from './pagination';
import { Enum, Nullable } from './schema';

const dateTime = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));

/** Which optional filters a list supports; `status` lists its allowed values. */
export interface ListFilters<S extends string = string, D extends boolean = boolean, C extends boolean = boolean> {
  status?: readonly S[];
  definition?: D;
  correlationKey?: C;
}

/** The validated values of a list query with these filters (the types the schema below validates). */
export type ListQueryOf<S extends string, D extends boolean, C extends boolean> = {
  limit?: number;
  cursor?: string;
  created_after?: string;
  created_before?: string;
} & ([S] extends [never] ? unknown : { status?: S })
  & (D extends true ? { definition?: string } : unknown)
  & (C extends true ? { correlation_key?: string } : unknown);

/** A list query schema: its handler sees the common values plus each `extra` one (all optional). */
export type TListQuery<S extends string, D extends boolean, C extends boolean, E extends TProperties> =
  TUnsafe<ListQueryOf<S, D, C> & { [K in keyof E]?: Static<E[K]> }>;

/**
 * The query schema of a list route: pagination, date range, the chosen filters and route-specific `extra` ones
 * (all optional).
 */
export function listQuery<const S extends string = never, D extends boolean = false, C extends boolean = false, E extends TProperties = Record<never, TSchema>>(
  filters: ListFilters<S, D, C> = {},
  extra: E = {} as E,
): TListQuery<S, D, C, E> {
  const optional = Object.fromEntries(Object.entries(extra).map(([k, s]) => [k, Type.Optional(s)]));
  const schema = Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Page size (1-${MAX_LIMIT})` })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque `next_cursor` of the previous page' })),
    created_after: dateTime('Only rows created at or after this instant (RFC 3339)'),
    created_before: dateTime('Only rows created before this instant (RFC 3339)'),
    ...(filters.status && { status: Type.Optional(Enum(filters.status, { type: 'string' })) }),
    ...(filters.definition && {
      definition: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Business id of the definition' })),
    }),
    ...(filters.correlationKey && { correlation_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
    ...optional,
  }, { additionalProperties: false });
  return Type.Unsafe<ListQueryOf<S, D, C> & { [K in keyof E]?: Static<E[K]> }>(schema);
}

/** Validated list query values. */
export interface ListQueryValues {
  limit?: number;
  cursor?: string;
  created_after?: string;
  created_before?: string;
  status?: string;
  definition?: string;
  correlation_key?: string;
}

/** Columns the common filters apply to, per table. */
export interface FilterColumns {
  created?: string;
  status?: string;
  definition?: string;
  correlationKey?: string;
}

/** Adds the where-clauses of the common filters to `qb`. */
export function applyListFilters(qb: Knex.QueryBuilder, q: ListQueryValues, cols: FilterColumns = {}): Knex.QueryBuilder {
  const created = cols.created ?? 'created_at';
  if (q.created_after) qb.where(created, '>=', q.created_after);
  if (q.created_before) qb.where(created, '<', q.created_before);
  if (q.status) qb.where(cols.status ?? 'status', q.status);
  if (q.definition && cols.definition) qb.where(cols.definition, q.definition);
  if (q.correlation_key && cols.correlationKey) qb.where(cols.correlationKey, q.correlation_key);
  return qb;
}

/** The response schema of a list of `item`s (a plain JSON Schema item is typed `unknown`). */
export function pageSchema<T extends TSchema>(item: T | JsonSchema): TObject<{ items: TUnsafe<Array<Static<T>>>; next_cursor: TUnsafe<string | null> }> {
  return Type.Object({ items: Type.Unsafe<Array<Static<T>>>({ type: 'array', items: item }), next_cursor: Nullable(Type.String()) });
}
