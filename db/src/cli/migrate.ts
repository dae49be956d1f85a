// `npm run migrate`: apply pending migrations to DATABASE_ADMIN_URL and (re)set the runtime role's
// password: ATRIUM_APP_PASSWORD, or the one in DATABASE_URL, so both always agree.
// Safe to run from several replicas at once (advisory lock).
import { migrate } from '../migrate.ts';

const adminUrl = process.env.DATABASE_ADMIN_URL;
const runtimeUrl = process.env.DATABASE_URL;
const appPassword = process.env.ATRIUM_APP_PASSWORD || (runtimeUrl ? decodeURIComponent(new URL(runtimeUrl).password) : '');
if (!adminUrl || !appPassword) {
  console.error('DATABASE_ADMIN_URL and one of ATRIUM_APP_PASSWORD or DATABASE_URL (with a password) must be set');
  process.exit(2);
}
const applied = await migrate({ adminUrl, appPassword, log: (line) => console.log(line) });
console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date');
