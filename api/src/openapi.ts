import { createDatabase } from '@atrium/db';
import { buildApp } from './app.ts';

/**
 * The OpenAPI document as the running app would serve it. The pool is never
 * used (postgres.js connects lazily), so no database is needed.
 */
export async function generateOpenApiDocument(): Promise<string> {
  const db = createDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 });
  const app = await buildApp({ db, devTenantHeader: false, graphiql: false, sealAuditEvents: false });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
