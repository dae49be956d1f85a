import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '@atrium/compliance';
import { parse } from 'csv-parse/sync';
import { renderAuditTrailCsv } from '../src/index.ts';

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: '01a21098-d382-7032-b503-f0aa656f37a8',
    occurredAt: '2026-11-25T14:03:07.123456Z',
    actorType: 'user',
    actorId: 'trader-1',
    action: 'account.updated',
    objectType: 'account',
    objectId: '01a21098-d382-7032-b503-eda68325cc7e',
    before: { name: 'Old, "quoted"\nname' },
    after: { name: 'New' },
    requestId: 'req-1',
    seq: '42',
    hash: 'ab'.repeat(32),
    ...overrides,
  };
}

test('renders a header and one row per event that a CSV reader gives back intact', () => {
  const csv = renderAuditTrailCsv([event(), event({ seq: null, hash: null, before: null, requestId: null })]);
  const rows: string[][] = parse(csv);
  assert.equal(rows.length, 3);
  assert.equal(rows[0]?.[1], 'Occurred at (UTC)');
  assert.equal(rows[1]?.[0], '42');
  assert.equal(rows[1]?.[1], '2026-11-25T14:03:07.123456Z');
  assert.deepEqual(JSON.parse(rows[1]?.[8] ?? ''), { name: 'Old, "quoted"\nname' });
  assert.deepEqual(rows[2]?.slice(7, 9), ['', '']);
  assert.equal(rows[2]?.[0], '');
  assert.ok(csv.includes('\r\n'));
});

test('neutralises spreadsheet formulas in any cell', () => {
  const csv = renderAuditTrailCsv([event({ actorId: '=HYPERLINK("http://evil")', objectId: '+1', requestId: '@SUM(A1)' })]);
  const [, row] = parse(csv) as string[][];
  assert.equal(row?.[3], `'=HYPERLINK("http://evil")`);
  assert.equal(row?.[6], "'+1");
  assert.equal(row?.[7], "'@SUM(A1)");
});
