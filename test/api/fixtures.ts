/**
 * Valid requests for the routes this suite owns (auth, users, roles, API keys, UI components,
 * integrations, observability, tests), so the authorization matrix can demand a 2xx from each of them.
 * Every call gets fresh rows: DELETE and PATCH fixtures never share state.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { etagOf } from '../../api/http/etag';
import type { TestCaller } from '../helpers/auth';

/** What a fixture adds to a request. */
export interface Fixture {
  params?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

type Make = (caller: TestCaller) => Promise<Fixture> | Fixture;

const uniq = (p: string) => `${p}-${randomBytes(5).toString('hex')}`;

/** Builds the fixture table on `db`; `setup()` creates the shared parent rows first. */
export function ownedFixtures(db: Knex) {
  const shared: Record<string, string> = {};
  const insert = async (table: string, row: object) => ((await db(table).insert(row).returning('id'))[0] as { id: string }).id;

  const definition = (table: string, businessId: string, extra: () => object, op: string): Record<string, Make> => {
    const make = () => insert(table, { [businessId]: uniq('d'), version: '1', name: 'matrix', ...extra() });
    return {
      [`list${op}s`]: () => ({}),
      [`create${op}`]: () => ({ body: { [businessId]: uniq('d'), version: '1', name: 'matrix', ...extra() } }),
      [`get${op}`]: async () => ({ params: { id: await make() } }),
      [`update${op}`]: async () => {
        const id = await make();
        return { params: { id }, body: { name: 'renamed' }, headers: { 'If-Match': etagOf(await db(table).where({ id }).first()) } };
      },
      [`delete${op}`]: async () => ({ params: { id: await make() } }),
    };
  };
  const crud = (op: string, make: () => Promise<Record<string, string>>, createBody: () => object, parent?: string): Record<string, Make> => ({
    [`list${op}s`]: () => ({ params: parent ? { [parent]: shared.run } : {} }),
    [`create${op}`]: () => ({ params: parent ? { [parent]: shared.run } : {}, body: createBody() }),
    [`get${op}`]: async () => ({ params: await make() }),
    [`update${op}`]: async () => ({ params: await make(), body: { status: 'error' } }),
    [`delete${op}`]: async () => ({ params: await make() }),
  });
  const T = 'testing_framework_service';
  const role = async () => { const role_id = uniq('r'); await insert('auth_service.roles', { role_id, name: 'matrix' }); return role_id; };
  const user = () => insert('auth_service.users', { username: uniq('u') });

  const table: Record<string, Make> = {
    whoAmI: () => ({}),
    listUsers: () => ({}), createUser: () => ({ body: { username: uniq('u'), roles: ['viewer'] } }),
    getUser: async () => ({ params: { id: await user() } }), updateUser: async () => ({ params: { id: await user() }, body: { display_name: 'x' } }),
    deleteUser: async () => ({ params: { id: await user() } }),
    listPermissions: () => ({}), listRoles: () => ({}), getRole: () => ({ params: { role_id: 'viewer' } }),
    createRole: () => ({ body: { role_id: uniq('r'), name: 'n', permissions: ['tests:read'] } }),
    replaceRole: async () => ({ params: { role_id: await role() }, body: { name: 'n2', permissions: [] } }),
    deleteRole: async () => ({ params: { role_id: await role() } }),
    listApiKeys: () => ({}), createApiKey: () => ({ body: { name: 'matrix' } }),
    revokeApiKey: async (c) => ({ params: { id: await insert('auth_service.api_keys', { prefix: uniq('p').slice(0, 14), key_hash: 'x', name: 'm', user_id: c.userId }) } }),
    ...definition('web_application_service.ui_components', 'component_id', () => ({ form_schema: JSON.stringify({ type: 'object' }) }), 'UiComponent'),
    ...definition('integration_service.integration_definitions', 'integration_id', () => ({ integration_type: 'http' }), 'IntegrationDefinition'),
    ...crud('IntegrationInstance', async () => ({ id: await insert('integration_service.integration_instances', { instance_id: uniq('i'), name: 'm', integration_definition_id: shared.integration }) }),
      () => ({ instance_id: uniq('i'), name: 'm', integration_definition_id: shared.integration, config: { url: 'http://127.0.0.1' } })),
    ...definition(`${T}.test_definitions`, 'test_id', () => ({ target_type: 'task', task_definition_id: shared.task }), 'TestDefinition'),
    ...crud('TestRun', async () => ({ id: await insert(`${T}.test_runs`, { run_id: uniq('run'), test_definition_id: shared.testDefinition }) }),
      () => ({ run_id: uniq('run'), test_definition_id: shared.testDefinition })),
    ...crud('TestCaseResult', async () => ({ run_id: shared.run, id: await insert(`${T}.test_case_results`, { test_run_id: shared.run, case_id: uniq('c') }) }),
      () => ({ case_id: uniq('c'), status: 'passed' }), 'run_id'),
    listObservabilityLogs: () => ({}), listObservabilityMetrics: () => ({}), listObservabilityTraces: () => ({}),
    getObservabilityLog: () => ({ params: { id: shared.log } }), getObservabilityMetric: () => ({ params: { id: shared.metric } }), getObservabilityTrace: () => ({ params: { id: shared.trace } }),
  };
  // The definition fixtures sent form_schema as JSON text for knex; the API body wants an object.
  for (const op of ['createUiComponent']) {
    const make = table[op];
    table[op] = async (c) => { const f = await make(c); return { ...f, body: { ...(f.body as object), form_schema: { type: 'object' } } }; };
  }

  async function setup(): Promise<void> {
    shared.integration = await insert('integration_service.integration_definitions', { integration_id: uniq('int'), version: '1', name: 'm', integration_type: 'http', config_schema: JSON.stringify({ type: 'object', properties: { url: { type: 'string' } } }) });
    shared.task = await insert('task_execution_service.task_definitions', { task_id: uniq('task'), version: '1', name: 'm', type: 'noop' });
    shared.testDefinition = await insert(`${T}.test_definitions`, { test_id: uniq('t'), version: '1', name: 'm', target_type: 'task', task_definition_id: shared.task });
    shared.run = await insert(`${T}.test_runs`, { run_id: uniq('run'), test_definition_id: shared.testDefinition });
    shared.log = await insert('observability_service.observability_logs', { level: 'info', message: 'hello' });
    shared.metric = await insert('observability_service.observability_metrics', { name: 'm', type: 'counter', value: 1 });
    shared.trace = await insert('observability_service.observability_traces', { trace_id: uniq('tr'), span_id: 's1', name: 'span', started_at: new Date() });
  }
  return { table, setup };
}
