/**
 * No body up to the API's limit (1 MB) holds the event loop while it is validated, on any route that checks
 * definitions, expressions or user JSON Schemas: the check runs in a validation thread (services/validation),
 * and what it costs there is bounded by documented limits. Before, the checks ran on the loop: 20,000
 * expressions in `vars` (420 KB) stalled it 7 s, an 800 KB UI form schema 18 s; a 60 KB schema well over 1 s.
 * Each body below is also answered correctly: the valid ones are accepted, the hostile ones refused with a pointer.
 */
import { randomBytes } from 'node:crypto';
import { MAX_DEFINITION_EXPRESSIONS } from '../../common/definitions/validation-bounds';
import { MAX_JSON_SCHEMA_CHARS } from '../../common/json-schema-limits';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { sendAlongsideHealthChecks } from '../helpers/event-loop-probe';
import { startProbedApi, type ProbedApi } from '../helpers/probed-api';

let served: ProbedApi;
let viewer: TestCaller;
let writer: TestCaller;
const tag = randomBytes(3).toString('hex');

beforeAll(async () => {
  served = await startProbedApi();
  viewer = await createTestCaller(served.api.deps, ['workflow_definitions:read', 'task_definitions:read'], 'viewer');
  writer = await createTestCaller(served.api.deps, ['*'], 'writer');
});
afterAll(() => served?.close());

// The loop only parses, walks (the central NUL/depth check) and copies the body now: about 0.3 ms per KB for a
// megabyte of 20,000 small strings, alone; the bound leaves room for a shared 2-core machine under test load.
const budgetMs = (kb: number) => 400 + 1 * kb;

/** Sends `body` alongside health checks; checks the stall, returns the status and the parsed answer. */
async function send(path: string, body: unknown, caller: TestCaller = writer) {
  const r = await sendAlongsideHealthChecks(served.base, `/api/v1${path}`, body, caller.bearer);
  expect(r.kb).toBeLessThan(1024); // under the body limit: every byte is validated, none refused as too large
  expect(r.stallMs).toBeLessThan(budgetMs(r.kb));
  expect(r.slowestProbeMs).toBeLessThan(1000);
  return { status: r.status, body: JSON.parse(r.answer) as Record<string, unknown> };
}

const flow = (id: string) => ({
  workflow_id: `${id}-${tag}`,
  name: id,
  version: '1.0.0',
  steps: [{ id: 'done', type: 'succeed' }],
});
/** `n` expressions, each about `size` characters, all parsable. */
const expressions = (n: number, size: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `v${i}`,
      `{% $sum([${i}, ${'1, '.repeat(Math.max(0, (size - 30) / 3))}2]) + $count($input) %}`,
    ]),
  );
/** A valid JSON Schema of about `chars` characters: string properties, costly for Ajv to compile (~25 ms per KB). */
function bigSchema(chars: number) {
  const properties: Record<string, object> = {};
  const schema = { type: 'object', properties };
  for (let i = 0, size = JSON.stringify(schema).length; ; i++) {
    const entry = { type: 'string', minLength: 1, maxLength: 50 };
    size += JSON.stringify({ [`p${i}`]: entry }).length - 1; // the comma replaces one brace
    if (size > chars) return schema;
    properties[`p${i}`] = entry;
  }
}
const tooLargeSchema = bigSchema(800_000);
const largestSchema = bigSchema(MAX_JSON_SCHEMA_CHARS - 1000);

describe('workflow definitions', () => {
  it(`refuses more than ${MAX_DEFINITION_EXPRESSIONS} expressions (20,000 in vars) without parsing them`, async () => {
    const r = await send('/workflow-definitions/validate', { ...flow('many'), vars: expressions(20_000, 10) }, viewer);
    expect(r).toEqual({
      status: 200,
      body: {
        valid: false,
        errors: [
          expect.objectContaining({ pointer: `/vars/v${MAX_DEFINITION_EXPRESSIONS}`, code: 'too_many_expressions' }),
        ],
      },
    });
  });

  it('validates a near-megabyte definition with as many long expressions as allowed, and stores it', async () => {
    const doc = { ...flow('long'), vars: expressions(MAX_DEFINITION_EXPRESSIONS - 100, 190) };
    expect(await send('/workflow-definitions/validate', doc, viewer)).toEqual({
      status: 200,
      body: { valid: true, errors: [] },
    });
    expect((await send('/workflow-definitions', doc)).status).toBe(201);
  });

  it('refuses one bad expression among thousands, pointing at it', async () => {
    const vars = expressions(MAX_DEFINITION_EXPRESSIONS - 100, 190);
    vars.v4000 = '{% $sum([1, %}';
    const r = await send('/workflow-definitions', { ...flow('bad'), vars });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/body/vars/v4000', code: 'invalid_expression' }),
    ]);
  });

  it('refuses an input schema over the size limit, pointing at it', async () => {
    const r = await send('/workflow-definitions/validate', { ...flow('schema'), input_schema: tooLargeSchema }, viewer);
    expect(r).toEqual({
      status: 200,
      body: {
        valid: false,
        errors: [expect.objectContaining({ pointer: '/input_schema', code: 'json_schema_too_large' })],
      },
    });
  });
});

describe('task definitions', () => {
  const task = (extra: object) => ({ task_id: `t-${tag}`, version: '1.0.0', name: 't', ...extra });

  it('validates a transform whose expression fills most of a megabyte', async () => {
    const expression = `{${Array.from({ length: 40_000 }, (_, i) => `"k${i}": a.b`).join(',')}}`;
    expect(
      await send('/task-definitions/validate', task({ type: 'transform', config: { expression } }), viewer),
    ).toEqual({ status: 200, body: { valid: true, errors: [] } });
  });

  it('refuses output and input schemas over the size limit', async () => {
    const r = await send(
      '/task-definitions',
      task({ type: 'echo', config: {}, input_schema: tooLargeSchema, output_schema: largestSchema }),
    );
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ pointer: '/body/input_schema', code: 'json_schema_too_large' }),
    ]);
  });
});

describe('user JSON Schemas', () => {
  it.each([
    [
      'UI component form',
      '/ui-components',
      (s: object) => ({
        component_id: `c-${tag}-${randomBytes(2).toString('hex')}`,
        version: '1.0.0',
        name: 'c',
        component_type: 'form',
        form_schema: s,
      }),
      'form_schema',
    ],
    [
      'integration config',
      '/integration-definitions',
      (s: object) => ({
        integration_id: `i-${tag}-${randomBytes(2).toString('hex')}`,
        version: '1.0.0',
        name: 'i',
        integration_type: 'crm',
        config_schema: s,
      }),
      'config_schema',
    ],
    [
      'event payload',
      '/event-definitions',
      (s: object) => {
        const id = `e${tag}${randomBytes(2).toString('hex')}`;
        return {
          event_id: id,
          name: 'e',
          pattern: `test.${id}`,
          version: '1.0.0',
          payload_schema: s,
          examples: [{ p0: 'x' }],
        };
      },
      'payload_schema',
    ],
  ])(
    '%s: the largest allowed schema is compiled and stored, a larger one refused',
    async (_what, path, make, field) => {
      expect((await send(path, make(largestSchema))).status).toBe(201);
      const r = await send(path, make(tooLargeSchema));
      expect(r.status).toBe(422);
      expect(r.body.errors).toEqual([
        expect.objectContaining({
          pointer: `/body/${field}`,
          message: expect.stringContaining(`at most ${MAX_JSON_SCHEMA_CHARS} characters`),
        }),
      ]);
    },
  );

  it("an integration instance is checked against its definition's schema", async () => {
    const def = await send('/integration-definitions', {
      integration_id: `v-${tag}`,
      version: '1.0.0',
      name: 'v',
      integration_type: 'crm',
      config_schema: largestSchema,
    });
    const config = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, i === 7 ? '' : 'x'.repeat(40)]));
    const r = await send('/integration-instances', {
      instance_id: `v-${tag}`,
      name: 'v',
      integration_definition_id: def.body.id,
      config,
    });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ pointer: '/body/config/p7' })]);
  });
});

describe('triggers', () => {
  it('checks 100 input mappings of 4 KB expressions each, and stores the trigger', async () => {
    expect((await send('/workflow-definitions', flow('target'))).status).toBe(201);
    const inputMapping = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`m${i}`, `payload.a${i} + ${'payload.b + '.repeat(330)}1`]),
    );
    const r = await send('/triggers', {
      workflowDefinitionId: `target-${tag}`,
      eventPattern: 'test.hostile',
      triggerType: 'START',
      inputMapping,
    });
    expect(r.status).toBe(201);
  });
});
