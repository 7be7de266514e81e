/** `npm run docs:api`: regenerates the permissions table of docs/api.md from the route declarations. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withPermissionsTable } from '../api/openapi/permissions-table';
import { allRoutes } from '../api/routes';

const file = join(__dirname, '..', 'docs', 'api.md');
writeFileSync(file, withPermissionsTable(readFileSync(file, 'utf8'), allRoutes()));
console.log(`Updated ${file} (${allRoutes().length} routes)`);
