import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { buildApp } from '../src/app.ts';
import { API_AUDIENCE, newSigningKey } from '../src/plugins/external/dev-issuer.ts';
import { buildWorld, fetchToken, type GraphQLErrorBody, TEST_SECRET, type World } from './helpers.ts';

const CERTS_PATH = '/realms/atrium/protocol/openid-connect/certs';
const GRAPHQL_TENANT = '{ tenant { id } }';

let w: World;
/** The realm's signing key, ours so tests can forge tokens the realm itself could have issued. */
let realmKey: CryptoKey;
let realmJwk: JWK & { kid: string };
/** Another realm on another issuer URL, with keys of its own. */
let otherRealm: FastifyInstance;

before(async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  realmKey = privateKey;
  realmJwk = { ...(await exportJWK(privateKey)), kid: 'realm-key-1', alg: 'RS256', use: 'sig' };
  w = await buildWorld({ keys: [realmJwk] });
  otherRealm = await buildApp({
    db: w.t.db,
    closeDatabase: false,
    devIssuer: {
      baseUrl: 'http://127.0.0.1:1',
      clients: [{ clientId: `${w.tenants.a.slug}-viewer`, secret: TEST_SECRET, tenantId: w.tenants.a.id, roles: ['viewer'] }],
    },
    graphiql: false,
    sealAuditEvents: false,
  });
});
after(async () => {
  await otherRealm?.close();
  await w?.close();
});

function issuer(): string {
  const iss = w.app.devIssuer?.issuer;
  assert.ok(iss);
  return iss;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims the realm would issue to tenant A's viewer; an `undefined` override removes the claim. */
function viewerClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const clientId = `${w.tenants.a.slug}-viewer`;
  const claims: Record<string, unknown> = {
    iss: issuer(),
    aud: API_AUDIENCE,
    sub: clientId,
    azp: clientId,
    realm_access: { roles: ['viewer'] },
    tenant_id: w.tenants.a.id,
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    jti: randomUUID(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

interface ForgeOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  key?: CryptoKey;
  kid?: string;
}

/** An RS256 token signed with the realm's key unless told otherwise. */
function forge(options: ForgeOptions = {}): Promise<string> {
  return new SignJWT(viewerClaims(options.claims))
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: options.kid ?? realmJwk.kid, ...options.header })
    .sign(options.key ?? realmKey);
}

async function publishedKeys(): Promise<JWK[]> {
  const response = await fetch(`${w.baseUrl}${CERTS_PATH}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { keys: JWK[] }).keys;
}

/** HS256 with the realm's public key as the HMAC secret: the classic algorithm-confusion forgery. */
async function signedWithPublicKeyAsSecret(encoding: 'pem' | 'jwk'): Promise<string> {
  const published = (await publishedKeys()).find((key) => key.kid === realmJwk.kid);
  assert.ok(published, 'the realm publishes its key');
  const text =
    encoding === 'pem'
      ? (createPublicKey({ key: published as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string)
      : JSON.stringify(published);
  return new SignJWT(viewerClaims()).setProtectedHeader({ alg: 'HS256', kid: realmJwk.kid }).sign(new TextEncoder().encode(text));
}

async function strangerKey(): Promise<CryptoKey> {
  return (await generateKeyPair('RS256', { extractable: true })).privateKey;
}

/** A token the realm really issued, with tenant_id swapped for tenant B's and the signature kept. */
async function withTamperedTenant(): Promise<string> {
  const [header, payload, signature] = (await fetchToken(w.app, `${w.tenants.a.slug}-viewer`)).split('.');
  assert.ok(header && payload && signature);
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  assert.equal(claims.tenant_id, w.tenants.a.id);
  claims.tenant_id = w.tenants.b.id;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function getTenant(token: string) {
  return w.app.inject({ method: 'GET', url: '/v1/tenant', headers: bearer(token) });
}

async function queryTenant(token: string) {
  return w.app.inject({ method: 'POST', url: '/graphql', headers: bearer(token), payload: { query: GRAPHQL_TENANT } });
}

interface Refusal {
  token: () => Promise<string>;
  code: 'IDN_ERR_TOKEN_INVALID' | 'IDN_ERR_TOKEN_EXPIRED' | 'IDN_ERR_UNKNOWN_TENANT';
  /** Why the verifier refused it, as the problem's detail says. */
  reason: RegExp;
}

const ATTACKER = 'https://attacker.example/keys';

const REFUSALS: Record<string, Refusal> = {
  'an unsecured token (alg none)': {
    token: async () => new UnsecuredJWT(viewerClaims()).encode(),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /algorithm none/,
  },
  'HS256 keyed with the realm’s public key as PEM': {
    token: () => signedWithPublicKeyAsSecret('pem'),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /algorithm HS256/,
  },
  'HS256 keyed with the realm’s public key as JWK JSON': {
    token: () => signedWithPublicKeyAsSecret('jwk'),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /algorithm HS256/,
  },
  'a kid the realm never published': {
    token: async () => forge({ key: await strangerKey(), kid: 'nope' }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /NO_MATCHING_KEY/,
  },
  'a jku header pointing at an attacker’s key set': {
    token: () => forge({ header: { jku: ATTACKER } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /jku header/,
  },
  'an x5u header pointing at an attacker’s certificate': {
    token: () => forge({ header: { x5u: ATTACKER } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /x5u header/,
  },
  'an embedded jwk header carrying the signer’s own key': {
    token: async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      return forge({ key: privateKey, kid: 'embedded', header: { jwk: await exportJWK(publicKey) } });
    },
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /jwk header/,
  },
  'expired 120 s ago, beyond the 30 s skew': {
    token: () => forge({ claims: { iat: nowSeconds() - 420, exp: nowSeconds() - 120 } }),
    code: 'IDN_ERR_TOKEN_EXPIRED',
    reason: /expired/,
  },
  'not valid until 120 s from now': {
    token: () => forge({ claims: { nbf: nowSeconds() + 120 } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /CLAIM_VALIDATION_FAILED/,
  },
  'issued by another issuer URL': {
    token: () => forge({ claims: { iss: 'http://127.0.0.1:1/realms/atrium' } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /CLAIM_VALIDATION_FAILED/,
  },
  'without an audience': {
    token: () => forge({ claims: { aud: undefined } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /CLAIM_VALIDATION_FAILED/,
  },
  'for another audience': {
    token: () => forge({ claims: { aud: ['account', 'billing-api'] } }),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /CLAIM_VALIDATION_FAILED/,
  },
  'a real token whose tenant_id was edited': {
    token: withTamperedTenant,
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /SIGNATURE_VERIFICATION_FAILED/,
  },
  'a real token from another realm': {
    token: () => fetchToken(otherRealm, `${w.tenants.a.slug}-viewer`),
    code: 'IDN_ERR_TOKEN_INVALID',
    reason: /NO_MATCHING_KEY/,
  },
  'a well-signed token naming a tenant that does not exist': {
    token: () => forge({ claims: { tenant_id: randomUUID() } }),
    code: 'IDN_ERR_UNKNOWN_TENANT',
    reason: /no active tenant/,
  },
};

describe('a token not issued by the realm for this API is a 401 problem', () => {
  for (const [name, refusal] of Object.entries(REFUSALS)) {
    test(`${name}: refused over REST and GraphQL with ${refusal.code}`, async () => {
      const token = await refusal.token();

      const rest = await getTenant(token);
      assert.equal(rest.statusCode, 401, rest.body);
      assert.match(String(rest.headers['content-type']), /^application\/problem\+json/);
      const problem = rest.json();
      assert.equal(problem.status, 401);
      assert.equal(problem.code, refusal.code);
      assert.match(problem.detail, refusal.reason);

      const gql = await queryTenant(token);
      assert.equal(gql.statusCode, 401, gql.body);
      // GraphQL keeps its own envelope: no data, one error carrying the same code and status.
      const body = gql.json() as { data: unknown; errors: GraphQLErrorBody[] };
      assert.equal(body.data, null);
      assert.equal(body.errors.length, 1);
      assert.equal(body.errors[0]?.extensions.code, refusal.code);
      assert.equal(body.errors[0]?.extensions.status, 401);
    });
  }
});

describe('a token the realm could have issued is accepted', () => {
  test('a token forged with the realm’s key and correct claims reads tenant A (the refusals above fail for their stated reason)', async () => {
    const token = await forge();
    const rest = await getTenant(token);
    assert.equal(rest.statusCode, 200, rest.body);
    assert.equal(rest.json().id, w.tenants.a.id);
    const gql = await queryTenant(token);
    assert.equal(gql.statusCode, 200, gql.body);
    assert.equal(gql.json().data.tenant.id, w.tenants.a.id);
  });

  test('a token expired 10 s ago is within the 30 s clock skew', async () => {
    const token = await forge({ claims: { iat: nowSeconds() - 310, exp: nowSeconds() - 10 } });
    const response = await getTenant(token);
    assert.equal(response.statusCode, 200, response.body);
  });
});

describe('verified tokens are cached', () => {
  test('repeating a verified token fetches neither discovery nor the JWKS again', async () => {
    const token = await forge();
    assert.equal((await getTenant(token)).statusCode, 200);
    const realFetch = globalThis.fetch;
    const fetched: string[] = [];
    globalThis.fetch = (input, init) => {
      fetched.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    try {
      for (let i = 0; i < 5; i++) assert.equal((await getTenant(token)).statusCode, 200);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(fetched, []);
  });

  test('a cached token is refused once it is past exp plus the 30 s skew', async () => {
    // Start just after a second boundary so "29 s ago" is still inside the skew when first verified.
    await sleep(1020 - (Date.now() % 1000));
    const second = nowSeconds();
    const token = await forge({ claims: { iat: second - 329, exp: second - 29 } });
    assert.equal((await getTenant(token)).statusCode, 200);
    await sleep((second + 1) * 1000 + 50 - Date.now());
    const again = await getTenant(token);
    assert.equal(again.statusCode, 401, again.body);
    assert.equal(again.json().code, 'IDN_ERR_TOKEN_EXPIRED');
  });
});

describe('signing-key rotation', () => {
  test('tokens of the new key verify without a restart, and tokens of the old key until they expire', async () => {
    const viewer = `${w.tenants.a.slug}-viewer`;
    const oldToken = await fetchToken(w.app, viewer);
    const next = await newSigningKey();
    await w.app.devIssuer?.rotateKeys(next);
    const newToken = await fetchToken(w.app, viewer);

    assert.equal(decodeProtectedHeader(oldToken).kid, realmJwk.kid);
    assert.equal(decodeProtectedHeader(newToken).kid, next.kid);
    assert.notEqual(decodeProtectedHeader(newToken).kid, decodeProtectedHeader(oldToken).kid);
    assert.deepEqual((await publishedKeys()).map((key) => key.kid).sort(), [next.kid, realmJwk.kid].sort());

    // An unknown kid earlier in this file started the verifier's 1 s JWKS refetch cooldown.
    await sleep(1100);
    const fresh = await getTenant(newToken);
    assert.equal(fresh.statusCode, 200, fresh.body);
    // Never verified before, so it is checked against the refetched JWKS, not served from the cache.
    const old = await getTenant(oldToken);
    assert.equal(old.statusCode, 200, old.body);
  });
});
