/** `npm run errors:catalogue` writes schema/error-codes.json from the error registry (a test fails when it is stale). */
import fs from 'node:fs';
import path from 'node:path';
import { errorCatalogue } from '@platform/errors';

const target = path.join(__dirname, '..', 'schema', 'error-codes.json');
fs.writeFileSync(target, errorCatalogue());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
