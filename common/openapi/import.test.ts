/** OpenAPI import: schema conversion (3.0 nullable, references into $defs, recursion) and reference errors. */
import { importOpenApi } from './import';

const doc = (openapi: string, extra: Record<string, unknown> = {}) => ({
  openapi,
  paths: {
    '/nodes/{id}': {
      get: {
        operationId: 'getNode',
        parameters: [{ $ref: '#/components/parameters/Id' }],
        responses: {
          '2XX': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
          },
        },
      },
    },
  },
  components: {
    parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'integer' } } },
    schemas: {
      Node: {
        type: 'object',
        properties: {
          label: { type: 'string', nullable: true },
          children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
        },
      },
    },
  },
  ...extra,
});

it('converts 3.0 nullable to a null type and keeps recursive components in $defs', () => {
  const { operations, errors } = importOpenApi(doc('3.0.1'), '');
  expect(errors).toEqual([]);
  const [op] = operations;
  expect(op.path).toBe('/nodes/{% $encodeUrlComponent($string($input.`id`)) %}');
  expect(op.openapi.input_schema).toMatchObject({ properties: { id: { type: 'integer' } }, required: ['id'] });
  expect(op.openapi.responses['2XX']).toEqual({
    $ref: '#/$defs/Node',
    $defs: {
      Node: {
        type: 'object',
        properties: {
          label: { type: ['string', 'null'] },
          children: { type: 'array', items: { $ref: '#/$defs/Node' } },
        },
      },
    },
  });
});

it('leaves nullable alone in 3.1 documents (they are JSON Schema)', () => {
  const { operations } = importOpenApi(doc('3.1.0'), '');
  const node = (operations[0].openapi.responses['2XX'].$defs as Record<string, { properties: { label: unknown } }>)
    .Node;
  expect(node.properties.label).toEqual({ type: 'string' });
});

it('reports a missing reference and an undeclared path parameter with their pointers', () => {
  const broken = doc('3.1.0', {
    components: { schemas: {} },
  });
  const { errors } = importOpenApi(broken, '/d');
  expect(errors.map((e) => e.pointer)).toEqual(
    expect.arrayContaining(['/d/paths/~1nodes~1{id}/get/parameters/0/$ref', '/d/paths/~1nodes~1{id}/get']),
  );
});
