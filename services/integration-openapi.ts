/**
 * Integration definitions created from an OpenAPI 3 document (#16): `openapi: { document, operations? }` in a
 * create or draft update becomes `operations` (one per operationId, or only those named) beside any written by
 * hand (a hand-written operation of the same name wins), and an import summary in `ui_metadata.openapi` (the
 * document's title, version and first server URL, the operation ids). The document itself is not stored.
 */
import type { FieldError } from '../common/errors';
import { importOpenApi } from '../common/openapi/import';

type Obj = Record<string, unknown>;

/** The OpenAPI part of an integration definition body. */
export interface OpenApiSource {
  document: unknown;
  /** operationIds to import; default all. */
  operations?: string[];
}

/** Replaces `openapi` in `content` by the operations it describes; every problem under /body/openapi. */
export function prepareIntegrationDefinition(content: Obj, current?: Obj): { errors: FieldError[]; values: Obj } {
  const { openapi, ...values } = content;
  if (openapi === undefined) return { errors: [], values };
  const source = openapi as OpenApiSource;
  const result = importOpenApi(source.document, '/body/openapi/document', source.operations);
  if (result.errors.length > 0) return { errors: result.errors, values };
  const written = (values.operations ?? current?.operations ?? []) as Array<{ name?: string }>;
  const handWritten = written.filter((o) => !(o as { openapi?: unknown }).openapi);
  const names = new Set(handWritten.map((o) => o.name));
  const operations = [...handWritten, ...result.operations.filter((o) => !names.has(o.name))];
  if (operations.length > 500)
    return { errors: [{ pointer: '/body/openapi', message: `${operations.length} operations; at most 500` }], values };
  const info = (source.document as { info?: { title?: unknown; version?: unknown } }).info;
  const metadata = (values.ui_metadata ?? current?.ui_metadata ?? {}) as Obj;
  return {
    errors: [],
    values: {
      ...values,
      operations,
      ui_metadata: {
        ...metadata,
        openapi: {
          ...(typeof info?.title === 'string' && { title: info.title }),
          ...(typeof info?.version === 'string' && { version: info.version }),
          ...(result.serverUrl && { server_url: result.serverUrl }),
          operations: result.operations.map((o) => o.name),
        },
      },
    },
  };
}
