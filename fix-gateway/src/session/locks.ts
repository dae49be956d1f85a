// Session ownership across gateway instances: a PostgreSQL session-level advisory lock per
// FIX session, all held on one dedicated connection of this gateway. If that connection
// drops, PostgreSQL releases every lock at once, so the gateway must drop every session.
import { connectPostgres } from '@atrium/db';
import type postgres from 'postgres';

export class SessionLocks {
  private readonly sql: postgres.Sql;
  private readonly held = new Set<string>();
  private onLost: () => void = () => {};

  constructor(url: string) {
    this.sql = connectPostgres(url, {
      max: 1,
      // Never recycled behind our back: closing it would release the locks.
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: 'atrium-fix-gateway-locks', statement_timeout: 5000 },
      onclose: () => {
        if (this.held.size === 0) return;
        this.held.clear();
        this.onLost();
      },
    });
  }

  /** Called when the lock connection closed while locks were held. */
  whenLost(callback: () => void): void {
    this.onLost = callback;
  }

  async tryAcquire(sessionId: string): Promise<boolean> {
    const [row] = await this.sql<{ locked: boolean }[]>`
      select pg_try_advisory_lock(hashtextextended(${`atrium.fix_session:${sessionId}`}, 0)) as locked`;
    if (row?.locked) this.held.add(sessionId);
    return row?.locked === true;
  }

  async release(sessionId: string): Promise<void> {
    if (!this.held.delete(sessionId)) return;
    await this.sql`select pg_advisory_unlock(hashtextextended(${`atrium.fix_session:${sessionId}`}, 0))`;
  }

  async close(): Promise<void> {
    this.held.clear();
    await this.sql.end({ timeout: 5 });
  }
}
