import type { AuditEvent } from '@atrium/compliance';
import { stringify } from 'csv-stringify/sync';

const COLUMNS = [
  ['seq', 'Chain position'],
  ['occurredAt', 'Occurred at (UTC)'],
  ['actorType', 'Actor type'],
  ['actorId', 'Actor'],
  ['action', 'Action'],
  ['objectType', 'Object type'],
  ['objectId', 'Object id'],
  ['requestId', 'Request id'],
  ['before', 'Before'],
  ['after', 'After'],
  ['hash', 'Chain hash (SHA-256)'],
  ['id', 'Event id'],
] as const;

// Spreadsheets execute cells that start with these; a quote makes them text (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The audit trail as RFC 4180 CSV with a header row, times exactly as stored (UTC, microseconds). */
export function renderAuditTrailCsv(events: readonly AuditEvent[]): string {
  return stringify(
    events.map((event) => COLUMNS.map(([key]) => cell(event[key]))),
    { header: true, columns: COLUMNS.map(([, title]) => title), record_delimiter: '\r\n', quoted_match: /[",\r\n]/ },
  );
}
