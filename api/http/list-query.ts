/**
 * Query-string schemas shared by every list route (`limit`, `cursor`, `created_after`, `created_before`,
 * and the optional `status`, `definition`, `correlation_key` filters) and the code that applies them.
 */
import type { Knex } from 'knex';
import type { JsonSchema } from './route';
import { DEFAULT_LIMIT, MAX_LIMIT } from './pagination';

const dateTime = { type: 'string', format: 'date-time' };

/** Which optional filters a list supports; `status` lists its allowed values. */
export interface ListFilters {
  status?: readonly string[];
  definition?: boolean;
  correlationKey?: boolean;
}

/** The query schema of a list route: pagination, date range, the chosen filters and route-specific `extra` ones. */
export function listQuery(filters: ListFilters = {}, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Page size (1-${MAX_LIMIT})` },
      cursor: { type: 'string', maxLength: 512, description: 'Opaque `next_cursor` of the previous page' },
      created_after: { ...dateTime, description: 'Only rows created at or after this instant (RFC 3339)' },
      created_before: { ...dateTime, description: 'Only rows created before this instant (RFC 3339)' },
      ...(filters.status && { status: { type: 'string', enum: [...filters.status] } }),
      ...(filters.definition && { definition: { type: 'string', minLength: 1, maxLength: 255, description: 'Business id of the definition' } }),
      ...(filters.correlationKey && { correlation_key: { type: 'string', minLength: 1, maxLength: 255 } }),
      ...extra,
    },
  };
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

/** The response schema of a list of `item`s. */
export function pageSchema(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
  };
}
