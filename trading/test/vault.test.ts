import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import { openVenueCredentials, sealVenueCredentials, VenueCredentials } from '../src/vault/envelope.ts';

const masterKey = randomBytes(32);
const scope = { tenantId: '01930000-0000-7000-8000-00000000000a', accountId: '01930000-0000-7000-8000-0000000000a1' };
const credentials = { apiKey: 'AKIA-venue-key-7f3a', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=', password: 'pass-phrase-91' };

function tamper(sealed: string, field: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[field] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[field] = bytes.toString('base64url');
  return parts.join('.');
}

describe('venue credential vault', () => {
  test('opens what it sealed for the same tenant and account', () => {
    const sealed = sealVenueCredentials(masterKey, scope, credentials);
    const opened = openVenueCredentials(masterKey, scope, sealed);
    assert.equal(opened.apiKey, credentials.apiKey);
    assert.equal(opened.secret, credentials.secret);
    assert.equal(opened.password, credentials.password);
    const withoutPassword = openVenueCredentials(masterKey, scope, sealVenueCredentials(masterKey, scope, { apiKey: 'k', secret: 's' }));
    assert.equal(withoutPassword.password, undefined);
  });

  test('the sealed text contains no part of the secret and differs on every seal', () => {
    const a = sealVenueCredentials(masterKey, scope, credentials);
    const b = sealVenueCredentials(masterKey, scope, credentials);
    assert.notEqual(a, b);
    for (const value of [credentials.apiKey, credentials.secret, credentials.password, scope.tenantId]) {
      assert.ok(!a.includes(value));
      assert.ok(!a.includes(Buffer.from(value).toString('base64url').slice(0, 12)));
    }
    assert.match(a, /^v1(\.[A-Za-z0-9_-]+){6}$/);
  });

  test("fails to open under another tenant's or account's associated data", () => {
    const sealed = sealVenueCredentials(masterKey, scope, credentials);
    for (const other of [
      { ...scope, tenantId: '01930000-0000-7000-8000-00000000000b' },
      { ...scope, accountId: '01930000-0000-7000-8000-0000000000a2' },
      { tenantId: scope.accountId, accountId: scope.tenantId },
    ]) {
      assert.throws(() => openVenueCredentials(masterKey, other, sealed), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
    }
  });

  test('fails to open a tampered envelope, whichever part was changed', () => {
    const sealed = sealVenueCredentials(masterKey, scope, credentials);
    for (let field = 1; field <= 6; field++) {
      assert.throws(
        () => openVenueCredentials(masterKey, scope, tamper(sealed, field)),
        { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' },
        `field ${field}`,
      );
    }
    const parts = sealed.split('.');
    const truncatedTag = [...parts.slice(0, 6), (parts[6] ?? '').slice(0, 8)].join('.');
    assert.throws(() => openVenueCredentials(masterKey, scope, truncatedTag), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
    assert.throws(() => openVenueCredentials(masterKey, scope, 'v2.a.b.c.d.e.f'), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
    assert.throws(() => openVenueCredentials(masterKey, scope, 'not an envelope'), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
  });

  test('fails to open a data key wrapped for another secret', () => {
    // Swapping wrapped keys between two envelopes of the same tenant must not decrypt either.
    const a = sealVenueCredentials(masterKey, scope, credentials).split('.');
    const b = sealVenueCredentials(masterKey, scope, { apiKey: 'other', secret: 'other' }).split('.');
    const spliced = [...a.slice(0, 4), ...b.slice(4)].join('.');
    assert.throws(() => openVenueCredentials(masterKey, scope, spliced), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
  });

  test('fails to open under another master key, and refuses a master key of the wrong size', () => {
    const sealed = sealVenueCredentials(masterKey, scope, credentials);
    assert.throws(() => openVenueCredentials(randomBytes(32), scope, sealed), { code: 'TRD_ERR_VAULT_UNSEAL_FAILED' });
    assert.throws(() => sealVenueCredentials(randomBytes(16), scope, credentials), { code: 'TRD_ERR_VAULT_MASTER_KEY' });
  });

  test('the unseal error says nothing about what failed', () => {
    const sealed = sealVenueCredentials(masterKey, scope, credentials);
    assert.throws(
      () => openVenueCredentials(masterKey, { ...scope, accountId: 'x' }, sealed),
      (error: Error) => error.message === 'Venue credentials could not be opened for this tenant and account' && error.cause === undefined,
    );
  });

  test('credentials never show their values in JSON, inspect, string formatting or a spread', () => {
    const opened = openVenueCredentials(masterKey, scope, sealVenueCredentials(masterKey, scope, credentials));
    const direct = new VenueCredentials(credentials);
    for (const value of [opened, direct]) {
      const renderings = [
        JSON.stringify(value),
        JSON.stringify({ credentials: value }),
        inspect(value),
        inspect({ nested: { value } }, { depth: 10, showHidden: true }),
        format('%o %O %s %j', value, value, value, value),
        String(value),
        `${value}`,
        JSON.stringify({ ...value }),
        Object.keys(value).join(','),
      ];
      for (const text of renderings) {
        for (const secret of [credentials.apiKey, credentials.secret, credentials.password]) assert.ok(!text.includes(secret), text);
      }
      assert.equal(JSON.stringify(value), '"[redacted]"');
      assert.equal(inspect(value), '[redacted]');
    }
  });

  test('refuses empty credentials', () => {
    assert.throws(() => sealVenueCredentials(masterKey, scope, { apiKey: '', secret: 's' }), { code: 'TRD_ERR_VAULT_INVALID_CREDENTIALS' });
  });
});
