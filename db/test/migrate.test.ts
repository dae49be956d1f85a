import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '../src/migrate.ts';
import { createTestDatabase, TEST_APP_PASSWORD, type TestDatabase } from '../src/testing.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

test('re-running migrations applies nothing and keeps the schema', async () => {
  const again = await migrate({ adminUrl: t.adminUrl, appPassword: TEST_APP_PASSWORD });
  assert.deepEqual(again, []);
  const rows = await t.admin`select version from atrium_migrations.schema_migrations order by version`;
  assert.ok(rows.length >= 1);
  assert.equal(rows[0]?.version, '0001');
});

test('concurrent migrators serialise on the advisory lock', async () => {
  const results = await Promise.all([1, 2, 3].map(() => migrate({ adminUrl: t.adminUrl, appPassword: TEST_APP_PASSWORD })));
  assert.deepEqual(results, [[], [], []]);
});

test('timestamps keep microseconds as RFC 3339 UTC strings', async () => {
  const [row] = await t.db.withPlatform(
    (tx) => tx`select '2026-11-25 14:03:07.123456+00'::timestamptz as at, '2026-11-25 14:03:07+00'::timestamptz as whole`,
  );
  assert.equal(row?.at, '2026-11-25T14:03:07.123456Z');
  assert.equal(row?.whole, '2026-11-25T14:03:07.000000Z');
});
