// Writes openapi/openapi.json; api/test/openapi.test.ts fails when it is stale.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateOpenApiDocument } from '../src/openapi.ts';

const target = path.join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json');
await writeFile(target, await generateOpenApiDocument());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
