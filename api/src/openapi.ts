import { createDatabase } from '@atrium/db';
import { createTokenVerifier } from '@atrium/tenants';
import { buildApp } from './app.ts';

/**
 * The OpenAPI document as the running app would serve it. The pool is never
 * used (postgres.js connects lazily), so no database is needed.
 */
export async function generateOpenApiDocument(): Promise<string> {
  const db = createDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 });
  // Neither is ever contacted: building the routes needs a verifier, not an issuer.
  const verifier = createTokenVerifier({ issuer: 'https://issuer.invalid/realms/atrium', audience: 'atrium-api' });
  const app = await buildApp({
    db,
    verifier,
    graphiql: false,
    sealAuditEvents: false,
    streams: false,
    trading: { tickIntervalMs: 0, restorePaperBooks: false },
  });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
