/** JSON Schemas shared by the workflow-definition, task-definition and workflow-instance routes. */
import { Type, type TObject, type TProperties, type TString, type TUnsafe } from '@sinclair/typebox';
import type { JsonSchema } from '../http/route';
import { AnyObject } from '../http/schema';

export { problem } from '../http/versioned-routes';

const time = { type: 'string', format: 'date-time' };
const nullableString = { type: ['string', 'null'] };
const businessIdPattern = '^[A-Za-z0-9_-]{1,200}$';
const versionPattern = '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$';

/** The properties of {@link idParams}. */
export type IdParams<N extends string, V extends boolean> = Record<N, TString> &
  (V extends true ? { version: TString } : unknown);

/** `:workflowId` / `:taskId` (+ `:version`) path parameters. */
export function idParams<N extends string, V extends boolean = false>(
  name: N,
  withVersion: V = false as V,
): TObject<IdParams<N, V>> {
  const properties: TProperties = {
    [name]: Type.String({ pattern: businessIdPattern }),
    ...(withVersion && { version: Type.String({ pattern: versionPattern }) }),
  };
  return Type.Object(properties as IdParams<N, V>);
}

/** Path, parameters, tag, operation name and permissions of the workflow or task definition routes. */
export function definitionAddress(kind: 'workflow' | 'task') {
  const param = `${kind}Id`;
  return {
    path: `/${kind}-definitions`,
    param,
    businessId: `${kind}_id`,
    tag: `${kind}-definitions`,
    operation: `${kind[0].toUpperCase()}${kind.slice(1)}Definition`,
    read: `${kind}_definitions:read`,
    write: `${kind}_definitions:write`,
    params: { id: idParams(param), version: idParams(param, true) },
  };
}

/** Request bodies are checked in full by the definitions service (schema + semantics, every error at once). */
export const definitionBody = (what: string, ref: string): TUnsafe<Record<string, unknown>> =>
  AnyObject({ description: `A ${what} document: see ${ref}` });

const lifecycle = {
  id: { type: 'string', format: 'uuid' },
  version: { type: 'string' },
  name: { type: 'string' },
  description: nullableString,
  status: { enum: ['draft', 'active', 'deprecated'] },
  created_at: time,
  updated_at: time,
  created_by: nullableString,
  updated_by: nullableString,
};

/** A workflow definition version as answered. */
export const workflowDefinitionItem: JsonSchema = {
  type: 'object',
  required: ['id', 'workflow_id', 'version', 'status', 'definition'],
  properties: {
    ...lifecycle,
    workflow_id: { type: 'string' },
    definition: { type: 'object' },
    checksum: nullableString,
    activated_at: { type: ['string', 'null'] },
    deprecated_at: { type: ['string', 'null'] },
  },
};

/** A task definition version as answered. */
export const taskDefinitionItem: JsonSchema = {
  type: 'object',
  required: ['id', 'task_id', 'version', 'status', 'type', 'config'],
  properties: {
    ...lifecycle,
    task_id: { type: 'string' },
    type: { type: 'string' },
    config: { type: 'object' },
    input_schema: {},
    output_schema: {},
    retry_policy: {},
    timeouts: {},
    /** Rate and concurrency limits across workers (#15). */
    limits: { type: 'object' },
    /** Temporal priority key of the task's activities, 1 (most urgent) to 5. */
    priority: { type: 'integer' },
    /** The form of a manual task, as resolved on save. */
    ui_component: {
      type: 'object',
      required: ['component_id', 'version'],
      properties: { component_id: { type: 'string' }, version: { type: 'string' } },
    },
  },
};
