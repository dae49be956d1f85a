const PG_TIMESTAMPTZ = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * PostgreSQL's ISO text for a timestamptz in a UTC session, e.g.
 * `2026-11-25 14:03:07.1234+00`, as RFC 3339 with exactly six fractional
 * digits. A JS Date would drop the microseconds regulators ask for.
 */
export function pgTimestamptzToRfc3339(text: string): string {
  const match = PG_TIMESTAMPTZ.exec(text);
  if (!match) {
    if (text === 'infinity' || text === '-infinity') return text;
    throw new Error(`unexpected timestamptz text ${JSON.stringify(text)}: is the session TimeZone UTC?`);
  }
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(6, '0')}Z`;
}
