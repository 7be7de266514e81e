/**
 * Integration operations from an OpenAPI 3 document (#16): each operation with an `operationId` becomes an
 * `integration_definitions.operations` entry named after it, an `http`-shaped request whose path, query and
 * header parameters and body are read from the task's input by name (`$input.<parameter>`, `$input.body`), with
 * the JSON Schemas the executor checks: the input (parameters and body, required ones required) always, the
 * response body per status when the task asks (`validate_response`).
 *
 * Only local references (`#/components/...`) are followed; schemas reach their components through `$defs` (only
 * those they use). OpenAPI 3.0's `nullable` becomes a `null` type; 3.1 schemas are JSON Schema already.
 */
import type { FieldError } from '../errors';

/** HTTP methods an OpenAPI path item may hold operations for. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Most operations one document may bring (integration_definitions.operations holds at most 500). */
export const MAX_OPENAPI_OPERATIONS = 500;

type Json = Record<string, unknown>;

/** The OpenAPI-derived part of an operation (`operations[i].openapi`). */
export interface OpenApiOperationInfo {
  operation_id: string;
  method: string;
  /** The path as the document writes it, e.g. `/pets/{petId}`. */
  path: string;
  summary?: string;
  /** JSON Schema of the task input: one property per parameter, `body` for the request body. */
  input_schema: Json;
  /** JSON Schema of the response body by status (`200`, `2XX`, `default`), JSON responses only. */
  responses: Record<string, Json>;
}

/** One generated operation (the shape `integration` tasks call). */
export interface OpenApiOperation {
  name: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  openapi: OpenApiOperationInfo;
}

/** What an import produced: operations, the document's first server URL, or every problem with its pointer. */
export interface OpenApiImport {
  operations: OpenApiOperation[];
  serverUrl?: string;
  errors: FieldError[];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
/** A JSONata path to an input field, whatever characters its name holds. */
const inputRef = (name: string) => `$input.\`${name.replace(/`/g, '')}\``;

/** Builds the operations of `doc` (only those named in `only`, when given); errors point under `at`. */
export function importOpenApi(doc: unknown, at: string, only?: string[]): OpenApiImport {
  const errors: FieldError[] = [];
  if (!isObject(doc)) return { operations: [], errors: [{ pointer: at, message: 'must be an OpenAPI document' }] };
  if (typeof doc.openapi !== 'string' || !/^3\.(0|1)\.\d+/.test(doc.openapi))
    errors.push({ pointer: `${at}/openapi`, message: 'must be an OpenAPI 3.0 or 3.1 version, e.g. "3.1.0"' });
  if (!isObject(doc.paths)) errors.push({ pointer: `${at}/paths`, message: 'must be an object of path items' });
  if (errors.length > 0) return { operations: [], errors };
  const legacy = (doc.openapi as string).startsWith('3.0');
  const resolver = new Resolver(doc, at, legacy, errors);
  const operations: OpenApiOperation[] = [];
  const seen = new Map<string, string>();
  for (const [path, rawItem] of Object.entries(doc.paths as Json)) {
    const itemAt = `${at}/paths/${escape(path)}`;
    const item = resolver.deref(rawItem, itemAt);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const opAt = `${itemAt}/${method}`;
      if (typeof op.operationId !== 'string' || op.operationId === '') continue; // not callable by name
      const id = op.operationId;
      if (only && !only.includes(id)) continue;
      // Built even when its id clashes, so every problem of the document is reported at once.
      const operation = operationOf(resolver, path, method, item, op, opAt);
      const clash = seen.get(id);
      if (clash) {
        errors.push({ pointer: `${opAt}/operationId`, message: `"${id}" is also the operationId at ${clash}` });
        continue;
      }
      seen.set(id, opAt);
      operations.push(operation);
    }
  }
  for (const name of only ?? [])
    if (!seen.has(name)) errors.push({ pointer: at, message: `has no operation with operationId "${name}"` });
  if (operations.length > MAX_OPENAPI_OPERATIONS)
    errors.push({ pointer: at, message: `has ${operations.length} operations; at most ${MAX_OPENAPI_OPERATIONS}` });
  const server = Array.isArray(doc.servers) && isObject(doc.servers[0]) ? doc.servers[0].url : undefined;
  return { operations, ...(typeof server === 'string' && { serverUrl: server }), errors };
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Json;
}

function operationOf(
  resolver: Resolver,
  path: string,
  method: string,
  item: Json,
  op: Json,
  at: string,
): OpenApiOperation {
  // Operation parameters override the path item's with the same name and location.
  const params = new Map<string, Parameter>();
  for (const [list, listAt] of [
    [item.parameters, at.replace(/\/[a-z]+$/, '/parameters')],
    [op.parameters, `${at}/parameters`],
  ] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const p = resolver.deref(raw, `${listAt}/${i}`);
      if (!isObject(p) || typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(p.in as string))
        return resolver.errors.push({ pointer: `${listAt}/${i}`, message: 'must be a parameter with a name and in' });
      if (p.in === 'cookie') return; // cookies are not sent by integration calls
      params.set(`${p.in as string}:${p.name}`, {
        name: p.name,
        in: p.in as Parameter['in'],
        required: p.in === 'path' || p.required === true,
        schema: isObject(p.schema) ? p.schema : {},
      });
    });
  }
  const properties: Json = {};
  const required: string[] = [];
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const defs = new Set<string>();
  for (const p of params.values()) {
    properties[p.name] = resolver.schema(p.schema, defs);
    if (p.required) required.push(p.name);
    if (p.in === 'query') query[p.name] = `{% ${inputRef(p.name)} %}`;
    if (p.in === 'header') headers[p.name] = `{% ${inputRef(p.name)} %}`;
  }
  for (const name of path.match(/\{[^}]+\}/g) ?? [])
    if (!params.has(`path:${name.slice(1, -1)}`))
      resolver.errors.push({ pointer: at, message: `path parameter ${name} is not declared` });
  // Each path parameter is URL-encoded where it stands.
  const templatedPath = path.replace(
    /\{([^}]+)\}/g,
    (_m, name: string) => `{% $encodeUrlComponent($string(${inputRef(name)})) %}`,
  );
  let body: string | undefined;
  const requestBody = resolver.deref(op.requestBody, `${at}/requestBody`);
  if (isObject(requestBody)) {
    body = '{% $input.body %}';
    const media = jsonMedia(requestBody.content);
    properties.body = media ? resolver.schema(media, defs) : {};
    if (requestBody.required === true) required.push('body');
  }
  const responses: Record<string, Json> = {};
  if (isObject(op.responses)) {
    for (const [status, raw] of Object.entries(op.responses)) {
      const response = resolver.deref(raw, `${at}/responses/${escape(status)}`);
      const media = isObject(response) ? jsonMedia(response.content) : undefined;
      if (!media) continue;
      const used = new Set<string>();
      responses[status.toUpperCase()] = withDefsNamed(resolver, resolver.schema(media, used), used);
    }
  }
  const inputSchema = { type: 'object', properties, required, additionalProperties: true };
  return {
    name: op.operationId as string,
    method: method.toUpperCase(),
    path: templatedPath,
    ...(Object.keys(query).length > 0 && { query }),
    ...(Object.keys(headers).length > 0 && { headers }),
    ...(body && { body }),
    openapi: {
      operation_id: op.operationId as string,
      method: method.toUpperCase(),
      path,
      ...(typeof op.summary === 'string' && { summary: op.summary }),
      input_schema: withDefsNamed(resolver, inputSchema, defs),
      responses,
    },
  };
}

/** The schema of a JSON media type in `content` (`application/json`, `application/*+json`), if any. */
function jsonMedia(content: unknown): Json | undefined {
  if (!isObject(content)) return undefined;
  const key = Object.keys(content).find((k) => /^application\/(.+\+)?json\b/i.test(k));
  const media = key === undefined ? undefined : content[key];
  return isObject(media) && isObject(media.schema) ? media.schema : undefined;
}

function withDefsNamed(resolver: Resolver, schema: Json, defs: Set<string>): Json {
  if (defs.size === 0) return schema;
  return { ...schema, $defs: Object.fromEntries([...defs].map((name) => [name, resolver.component(name)])) };
}

/** Follows local references and converts schemas, collecting the components each schema uses. */
class Resolver {
  private readonly converted = new Map<string, Json>();

  constructor(
    private readonly doc: Json,
    private readonly at: string,
    private readonly legacy: boolean,
    readonly errors: FieldError[],
  ) {}

  /** The object a `$ref` names (local references only), or the value itself. */
  deref(value: unknown, at: string, depth = 0): unknown {
    if (!isObject(value) || typeof value.$ref !== 'string') return value;
    if (depth > 20) {
      this.errors.push({ pointer: at, message: 'references form a cycle' });
      return undefined;
    }
    const target = this.lookup(value.$ref, at);
    return target === undefined ? undefined : this.deref(target, at, depth + 1);
  }

  private lookup(ref: string, at: string): unknown {
    if (!ref.startsWith('#/')) {
      this.errors.push({ pointer: `${at}/$ref`, message: 'only local references (#/...) are supported' });
      return undefined;
    }
    let node: unknown = this.doc;
    for (const part of ref.slice(2).split('/')) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : undefined;
    }
    if (node === undefined) this.errors.push({ pointer: `${at}/$ref`, message: `${ref} does not exist` });
    return node;
  }

  /** A schema converted to JSON Schema 2020-12, its component references pointing into `$defs` (added to `defs`). */
  schema(schema: unknown, defs: Set<string>): Json {
    return isObject(schema) ? (this.convert(schema, defs) as Json) : {};
  }

  /** The converted component schema `name` (`#/components/schemas/<name>`). */
  component(name: string): Json {
    return this.converted.get(name) ?? {};
  }

  private convert(node: unknown, defs: Set<string>): unknown {
    if (Array.isArray(node)) return node.map((n) => this.convert(n, defs));
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      const match = /^#\/components\/schemas\/([^/]+)$/.exec(node.$ref);
      if (!match) {
        this.errors.push({
          pointer: this.at,
          message: `schema reference ${node.$ref} is not under #/components/schemas`,
        });
        return {};
      }
      const name = decodeURIComponent(match[1]);
      if (!defs.has(name)) {
        defs.add(name);
        if (!this.converted.has(name)) {
          this.converted.set(name, {}); // placeholder: recursive schemas refer to themselves
          const target = this.lookup(node.$ref, this.at);
          this.converted.set(name, (isObject(target) ? this.convert(target, defs) : {}) as Json);
        } else {
          // Already converted elsewhere: its own references must be in this schema's $defs too.
          this.collect(name, defs);
        }
      }
      return { $ref: `#/$defs/${name}` };
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'nullable' || key === 'example' || key === 'xml' || key === 'discriminator') continue;
      out[key] =
        key === 'properties' || key === 'patternProperties' ? this.convertMap(value, defs) : this.convert(value, defs);
    }
    if (this.legacy && node.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    return out;
  }

  private convertMap(value: unknown, defs: Set<string>): unknown {
    if (!isObject(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.convert(v, defs)]));
  }

  private collect(name: string, defs: Set<string>): void {
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!isObject(node)) return;
      const ref = typeof node.$ref === 'string' ? /^#\/\$defs\/(.+)$/.exec(node.$ref) : null;
      if (ref && !defs.has(ref[1])) {
        defs.add(ref[1]);
        walk(this.converted.get(ref[1]));
      }
      Object.values(node).forEach(walk);
    };
    walk(this.converted.get(name));
  }
}
