/** Compose registers exactly the declared search attributes (it cannot import the declaration). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES, searchAttributeCliFlags } from './search-attributes';

describe('search attributes', () => {
  it('temporal/docker-compose.yml registers every declared attribute with its type', () => {
    const compose = readFileSync(join(__dirname, '..', 'temporal', 'docker-compose.yml'), 'utf8');
    const loop = /for sa in ([^;]+); do\s+temporal operator search-attribute create [^\n]*--type (\w+)/.exec(compose);
    expect(loop).not.toBeNull();
    const [, names, type] = loop!;
    expect(
      Object.fromEntries(
        names
          .trim()
          .split(/\s+/)
          .map((n) => [n, type]),
      ),
    ).toEqual(SEARCH_ATTRIBUTES);
  });

  it('gives the dev server one flag per attribute', () => {
    expect(searchAttributeCliFlags()).toContain('AosDefinitionId=Keyword');
    expect(searchAttributeCliFlags()).toHaveLength(2 * Object.keys(SEARCH_ATTRIBUTES).length);
  });
});
