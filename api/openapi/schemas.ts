/** Reusable OpenAPI components: the problem+json schema, security schemes, and `$id` schema hoisting. */
import type { JsonSchema } from '../http/route';

/** RFC 9457 problem details as this API writes them. */
export const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'message'],
        properties: {
          pointer: { type: 'string' },
          message: { type: 'string' },
          /** Stable machine code of definition and form checks, e.g. `unknown_target`, `duplicate_action_id`. */
          code: { type: 'string' },
        },
      },
    },
  },
};

/** The two ways to authenticate. */
export const securitySchemes = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT or API key',
    description: 'Access token from POST /auth/login, or an API key (`aos_...`)',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key from POST /api-keys' },
};

/**
 * Moves every schema that has an `$id` into `components.schemas` (once) and references it from where it was
 * used, so big shared schemas (the definition language) appear once in the document.
 */
export class SchemaHoister {
  readonly components: Record<string, JsonSchema> = {};
  private readonly byId = new Map<string, string>();

  /** Returns `schema` with every `$id`-bearing subschema replaced by a `$ref`. */
  hoist(schema: JsonSchema | undefined): JsonSchema | undefined {
    if (!schema) return schema;
    return this.walk(schema) as JsonSchema;
  }

  private walk(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.walk(n));
    if (!node || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$id === 'string') return { $ref: `#/components/schemas/${this.register(obj.$id, obj)}` };
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.walk(v)]));
  }

  private register(id: string, schema: Record<string, unknown>): string {
    const known = this.byId.get(id);
    if (known) return known;
    const base = (id.split('/').pop() ?? 'Schema').replace(/\.json$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'Schema';
    let name = base;
    for (let i = 2; this.components[name]; i++) name = `${base}_${i}`;
    this.byId.set(id, name);
    // The hoisted schema keeps its $id (its internal `#/$defs` refs resolve against it); nested $ids hoist too.
    const inner = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === '$id' ? v : this.walk(v)]));
    this.components[name] = inner;
    return name;
  }
}
