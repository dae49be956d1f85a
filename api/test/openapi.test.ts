import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { generateOpenApiDocument } from '../src/openapi.ts';

const CHECKED_IN = path.join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json');

interface Operation {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

test('the checked-in openapi/openapi.json is current (run `npm run openapi`)', async () => {
  const generated = await generateOpenApiDocument();
  const checkedIn = await readFile(CHECKED_IN, 'utf8');
  assert.equal(checkedIn, generated, 'openapi/openapi.json is stale: run `npm run openapi` and commit it');
});

test('every operation has an id, a success schema and the shared problem responses', async () => {
  const doc = JSON.parse(await generateOpenApiDocument());
  let operations = 0;
  for (const [route, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(methods)) {
      operations++;
      const where = `${method.toUpperCase()} ${route}`;
      assert.ok(op.operationId, `${where} has no operationId`);
      const success = Object.keys(op.responses).filter((status) => status.startsWith('2'));
      assert.ok(success.length > 0, `${where} has no 2xx response`);
      for (const status of success) if (status !== '204') assert.ok(op.responses[status]?.content, `${where} ${status} has no schema`);
      if (route.startsWith('/v1/')) {
        for (const status of ['400', '401', '403', '404', '409', '422', '429', '500']) {
          assert.ok(op.responses[status], `${where} lacks the shared ${status} response`);
        }
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        assert.equal(media.schema.additionalProperties, false, `${where} ${type} body allows unknown properties`);
      }
    }
  }
  assert.ok(operations >= 8, `only ${operations} operations`);
});
