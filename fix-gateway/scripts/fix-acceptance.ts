// npm run fix:acceptance -- <dir>: plays QuickFIX .def scripts against the gateway's test-only
// ISLD/TW44 session on loopback, with a throwaway embedded PostgreSQL, and exits non-zero on any failure.
import path from 'node:path';
import { createTestDatabase } from '@atrium/db/testing';
import { formatAcceptanceReport, runAcceptanceSuite } from '../src/acceptance/runner.ts';
import { createTestTenant, createUnauthenticatedTestSession, startTestFixGateway } from '../src/testing.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npm run fix:acceptance -- <directory of .def scripts> [--only <regexp>]\n');
  process.exit(2);
}
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 && process.argv[onlyIndex + 1] ? new RegExp(process.argv[onlyIndex + 1] as string) : undefined;

// createTestDatabase starts an embedded PostgreSQL when ATRIUM_TEST_ADMIN_URL is unset, and migrates.
const database = await createTestDatabase();
let failed = true;
try {
  const tenantId = await createTestTenant(database.db);
  const session = await createUnauthenticatedTestSession(database.db, tenantId);
  const gateway = await startTestFixGateway({ databaseUrl: database.appUrl, host: '127.0.0.1', port: 0 });
  try {
    const results = await runAcceptanceSuite(
      path.resolve(process.env.INIT_CWD ?? process.cwd(), dir),
      { host: '127.0.0.1', port: gateway.port, resetSession: () => gateway.whenSessionIdle(session.id) },
      { onProgress: (line) => process.stderr.write(`${line}\n`), ...(only ? { only } : {}) },
    );
    process.stdout.write(`${formatAcceptanceReport(results)}\n`);
    // The report counts warnings; their texts say what differed from QuickFIX's expectations.
    for (const result of results) {
      for (const warning of result.warnings) process.stdout.write(`WARN  ${result.script}: ${warning}\n`);
    }
    failed = results.length === 0 || results.some((result) => !result.passed);
  } finally {
    await gateway.close();
  }
} finally {
  await database.drop();
}
process.exit(failed ? 1 : 0);
