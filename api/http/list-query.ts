/**
 * Query-string schemas shared by every list route (`limit`, `cursor`, `created_after`, `created_before`,
 * and the optional `status`, `definition`, `correlation_key` filters). The repositories apply them
 * (db/repositories/list-filters.ts).
 */
import { Type, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';
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
} & ([S] extends [never] ? unknown : { status?: S }) &
  (D extends true ? { definition?: string } : unknown) &
  (C extends true ? { correlation_key?: string } : unknown);

/** A list query schema: its handler sees the common values plus each `extra` one (all optional). */
export type TListQuery<S extends string, D extends boolean, C extends boolean, E extends TProperties> = TUnsafe<
  ListQueryOf<S, D, C> & { [K in keyof E]?: Static<E[K]> }
>;

/**
 * The query schema of a list route: pagination, date range, the chosen filters and route-specific `extra` ones
 * (all optional).
 */
export function listQuery<
  const S extends string = never,
  D extends boolean = false,
  C extends boolean = false,
  E extends TProperties = Record<never, TSchema>,
>(filters: ListFilters<S, D, C> = {}, extra: E = {} as E): TListQuery<S, D, C, E> {
  const optional = Object.fromEntries(Object.entries(extra).map(([k, s]) => [k, Type.Optional(s)]));
  const schema = Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: MAX_LIMIT,
          default: DEFAULT_LIMIT,
          description: `Page size (1-${MAX_LIMIT})`,
        }),
      ),
      cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque `next_cursor` of the previous page' })),
      created_after: dateTime('Only rows created at or after this instant (RFC 3339)'),
      created_before: dateTime('Only rows created before this instant (RFC 3339)'),
      ...(filters.status && { status: Type.Optional(Enum(filters.status, { type: 'string' })) }),
      ...(filters.definition && {
        definition: Type.Optional(
          Type.String({ minLength: 1, maxLength: 255, description: 'Business id of the definition' }),
        ),
      }),
      ...(filters.correlationKey && { correlation_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
      ...optional,
    },
    { additionalProperties: false },
  );
  return Type.Unsafe<ListQueryOf<S, D, C> & { [K in keyof E]?: Static<E[K]> }>(schema);
}

/** The response schema of a list of `item`s (a plain JSON Schema item is typed `unknown`). */
export function pageSchema<T extends TSchema>(
  item: T | JsonSchema,
): TObject<{ items: TUnsafe<Array<Static<T>>>; next_cursor: TUnsafe<string | null> }> {
  return Type.Object({
    items: Type.Unsafe<Array<Static<T>>>({ type: 'array', items: item }),
    next_cursor: Nullable(Type.String()),
  });
}
