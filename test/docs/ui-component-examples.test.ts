/**
 * docs/ui-components.md is true: its example form passes the checks a saved component passes, and its 422
 * example lists exactly what the checks say about the change it describes (the main example with a missing field
 * in the first section and a second `approve` action).
 */
import { join } from 'node:path';
import { invalidDefinition } from '../../services/definitions/errors';
import { uiComponentErrors } from '../../services/forms/checks';
import { at, jsonBlocks, ROOT } from './doc-examples';

type Obj = Record<string, unknown>;
const blocks = jsonBlocks(join(ROOT, 'docs', 'ui-components.md')).blocks.map((b) => ({
  b,
  doc: JSON.parse(b.text) as Obj,
}));
const components = blocks.filter(({ doc }) => typeof doc.component_id === 'string');

it('shows a complete form', () => {
  expect(components.length).toBeGreaterThanOrEqual(1);
});

it.each(components.map(({ b, doc }) => [at(b), doc] as const))('the component at %s is valid', (_, doc) => {
  expect(uiComponentErrors(doc)).toEqual([]);
});

it('documents the 422 the checks give', () => {
  const doc = structuredClone(components[0].doc) as { layout: { sections: Array<{ fields: string[] }> } } & Obj;
  doc.layout.sections[0].fields[1] = 'ghost';
  (doc.actions as Obj[]).push({ id: 'approve', label: 'Again' });
  const problem = blocks.find(({ doc: d }) => d.status === 422)?.doc;
  const error = invalidDefinition('UI component', uiComponentErrors(doc));
  expect({ detail: error.message, errors: error.errors }).toEqual({ detail: problem?.detail, errors: problem?.errors });
});
