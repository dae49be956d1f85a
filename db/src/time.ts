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

// Wall-clock microseconds: the system clock (which NTP disciplines) gives the milliseconds, the
// monotonic clock only the digits below them; it is re-anchored whenever the two drift apart.
let anchorWallMs = Date.now();
let anchorMonotonicNs = process.hrtime.bigint();

/** Now as RFC 3339 UTC with exactly six fractional digits, e.g. `2026-11-25T14:03:07.123456Z`. */
export function utcNowMicros(): string {
  const monotonicNs = process.hrtime.bigint();
  let micros = BigInt(anchorWallMs) * 1000n + (monotonicNs - anchorMonotonicNs) / 1000n;
  const wallMs = Date.now();
  const driftMs = Number(micros / 1000n) - wallMs;
  if (driftMs > 1 || driftMs < -1) {
    anchorWallMs = wallMs;
    anchorMonotonicNs = monotonicNs;
    micros = BigInt(wallMs) * 1000n;
  }
  return formatMicros(micros);
}

/** An RFC 3339 time with any offset and precision, as UTC with exactly six fractional digits. */
export function toRfc3339Micros(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(value)}`);
  // Date keeps milliseconds; the fraction's 4th to 6th digits, if any, are added back.
  const below = (/\.\d{3}(\d{1,3})/.exec(value)?.[1] ?? '').padEnd(3, '0');
  return formatMicros(BigInt(ms) * 1000n + BigInt(below));
}

function formatMicros(micros: bigint): string {
  const iso = new Date(Number(micros / 1000n)).toISOString();
  return `${iso.slice(0, -1)}${String(micros % 1000n).padStart(3, '0')}Z`;
}
