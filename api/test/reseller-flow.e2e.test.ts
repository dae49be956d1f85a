import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { buildWorld, tinyPng, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld({ prefix: 'rf' });
});
after(() => w.close());

async function tokenFor(clientId: string, secret: string): Promise<string> {
  const response = await request(w.baseUrl)
    .post('/realms/atrium/protocol/openid-connect/token')
    .auth(clientId, secret)
    .type('form')
    .send({ grant_type: 'client_credentials' })
    .expect(200);
  return response.body.access_token;
}

test('a reseller launches a branded tenant whose own machine client trades until suspension', async () => {
  const http = request(w.baseUrl);
  const reseller = { authorization: `Bearer ${await w.token('rf-reseller-admin')}` };
  const logo = tinyPng();

  // 1. One call: tenant, locales, branding with a logo, fees, limits, and its first tenant admin.
  const launched = await http
    .post('/v1/reseller/tenants')
    .set(reseller)
    .send({
      slug: 'helios',
      name: 'Helios Fund',
      legalName: 'Helios Fund Management S.A.',
      lei: '529900T8BM49AURSDO55',
      defaultLocale: 'fr',
      allowedLocales: ['fr', 'en'],
      reportingCurrency: 'EUR',
      feeSchedule: { makerBps: '1.5', takerBps: '4' },
      defaultLimits: { maxOrderNotional: '250000', maxDailyNotional: '5000000' },
      branding: {
        displayName: 'Helios',
        primaryColor: '#aa3300',
        secondaryColor: '#ffeecc',
        logo: { mediaType: 'image/png', data: logo.toString('base64') },
      },
    })
    .expect(201);
  const { tenant, adminClient } = launched.body;
  assert.equal(tenant.status, 'active');
  assert.deepEqual(tenant.allowedLocales, ['fr', 'en']);
  assert.equal(tenant.branding.logoMediaType, 'image/png');
  assert.deepEqual(tenant.feeSchedule, { makerBps: '1.5', takerBps: '4' });
  assert.match(adminClient.clientId, /^atr-[0-9a-f]{20}$/);
  assert.ok(adminClient.clientSecret.length >= 40);
  assert.equal(launched.headers['cache-control'], 'no-store');

  // 2. The public theme, as JSON, CSS and the logo itself.
  const theme = await http.get('/v1/branding?tenant=helios').expect(200);
  assert.deepEqual(theme.body, {
    tenant: 'helios',
    displayName: 'Helios',
    colors: { primary: '#aa3300', secondary: '#ffeecc' },
    logoUrl: '/v1/branding/logo?tenant=helios',
    customDomain: null,
  });
  const css = await http.get('/v1/branding.css?tenant=helios').expect(200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.match(css.text, /--atrium-brand-primary: #aa3300;/);
  const served = await http
    .get('/v1/branding/logo?tenant=helios')
    .buffer(true)
    .parse((res, done) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => done(null, Buffer.concat(parts)));
    });
  assert.equal(served.status, 200);
  assert.equal(served.headers['content-type'], 'image/png');
  assert.deepEqual(served.body, logo);

  // 3. Its tenant admin (a real OIDC client with a hashed secret) opens an account and a machine client.
  const admin = { authorization: `Bearer ${await tokenFor(adminClient.clientId, adminClient.clientSecret)}` };
  const account = (await http.post('/v1/accounts').set(admin).send({ code: 'HEL-1', name: 'Helios main' }).expect(201)).body;
  const machine = (
    await http
      .post('/v1/api-clients')
      .set(admin)
      .send({ name: 'Execution engine', roles: ['trader', 'tenant-admin'], ipAllowlist: ['127.0.0.0/8', '::1/128'] })
      .expect(201)
  ).body;
  assert.deepEqual(machine.client.roles, ['trader', 'tenant-admin']);
  const listed = (await http.get('/v1/api-clients').set(admin).expect(200)).body.items;
  assert.ok(listed.some((c: { clientId: string }) => c.clientId === machine.client.clientId));
  assert.ok(!JSON.stringify(listed).includes(machine.clientSecret), 'the secret is never shown again');

  // 4. The machine client gets its own token and reads the account.
  const bot = { authorization: `Bearer ${await tokenFor(machine.client.clientId, machine.clientSecret)}` };
  const read = await http.get(`/v1/accounts/${account.id}`).set(bot).expect(200);
  assert.equal(read.body.code, 'HEL-1');
  await http.post('/v1/accounts').set(bot).send({ code: 'HEL-2', name: 'Bot account' }).expect(201);

  // 5. Suspended: its changes get a 403 with a clear code; reads still work; reactivation restores it.
  await http.post(`/v1/reseller/tenants/${tenant.id}/suspend`).set(reseller).expect(200);
  const refused = await http.post('/v1/accounts').set(bot).send({ code: 'HEL-3', name: 'Refused' }).expect(403);
  assert.equal(refused.body.code, 'IDN_ERR_TENANT_SUSPENDED');
  await http.get(`/v1/accounts/${account.id}`).set(bot).expect(200);
  await http.post(`/v1/reseller/tenants/${tenant.id}/reactivate`).set(reseller).expect(200);
  await http.post('/v1/accounts').set(bot).send({ code: 'HEL-3', name: 'Accepted again' }).expect(201);

  // Revoking the machine client stops its current token at once, and the issuer refuses it new ones.
  await http.delete(`/v1/api-clients/${machine.client.id}`).set(admin).expect(200);
  const revoked = await http.get(`/v1/accounts/${account.id}`).set(bot).expect(401);
  assert.equal(revoked.body.code, 'IDN_ERR_CLIENT_REVOKED');
  await request(w.baseUrl)
    .post('/realms/atrium/protocol/openid-connect/token')
    .auth(machine.client.clientId, machine.clientSecret)
    .type('form')
    .send({ grant_type: 'client_credentials' })
    .expect(401);

  // Everything above is in the new tenant's audit trail.
  const audit = (await http.get('/v1/audit-events?limit=500').set(admin).expect(200)).body.items.map((e: { action: string }) => e.action);
  for (const action of [
    'tenant.created',
    'api_client.created',
    'account.created',
    'tenant.suspended',
    'tenant.reactivated',
    'api_client.revoked',
  ]) {
    assert.ok(audit.includes(action), `audit trail lacks ${action}`);
  }
});

test('a reseller launches from a template, and cannot see or touch another reseller’s tenants', async () => {
  const http = request(w.baseUrl);
  const reseller = { authorization: `Bearer ${await w.token('rf-reseller-admin')}` };
  const other = { authorization: `Bearer ${await w.token('rf-other-reseller-admin')}` };
  const template = (
    await http
      .post('/v1/reseller/tenants')
      .set(reseller)
      .send({
        slug: 'tmpl-base',
        name: 'Template',
        legalName: 'Template Ltd',
        allowedLocales: ['de', 'en'],
        defaultLocale: 'de',
        reportingCurrency: 'CHF',
        feeSchedule: { makerBps: '0.5', takerBps: '2' },
        branding: { primaryColor: '#004488' },
      })
      .expect(201)
  ).body.tenant;
  const copy = (
    await http
      .post('/v1/reseller/tenants')
      .set(reseller)
      .send({ slug: 'tmpl-copy', name: 'Copy', legalName: 'Copy AG', templateTenantId: template.id })
      .expect(201)
  ).body.tenant;
  assert.deepEqual(
    [copy.defaultLocale, copy.allowedLocales, copy.reportingCurrency, copy.feeSchedule, copy.branding.primaryColor],
    ['de', ['de', 'en'], 'CHF', { makerBps: '0.5', takerBps: '2' }, '#004488'],
  );

  // The other reseller: not in its list, 404 by id, 404 on every change, and its template is not usable.
  const theirs = (await http.get('/v1/reseller/tenants?limit=500').set(other).expect(200)).body.items.map((t: { id: string }) => t.id);
  assert.ok(!theirs.includes(template.id));
  assert.equal((await http.get(`/v1/reseller/tenants/${template.id}`).set(other).expect(404)).body.code, 'TEN_ERR_NOT_FOUND');
  await http.patch(`/v1/reseller/tenants/${template.id}`).set(other).send({ name: 'Hijacked' }).expect(404);
  await http.post(`/v1/reseller/tenants/${template.id}/suspend`).set(other).expect(404);
  await http
    .post('/v1/reseller/tenants')
    .set(other)
    .send({ slug: 'stolen', name: 'Stolen', legalName: 'Stolen Ltd', templateTenantId: template.id })
    .expect(404);
  assert.equal((await http.get(`/v1/reseller/tenants/${template.id}`).set(reseller).expect(200)).body.name, 'Template');

  // The platform admin sees every reseller's tenants.
  const platform = { authorization: `Bearer ${await w.token('rf-platform-admin')}` };
  const all = (await http.get('/v1/admin/tenants?limit=500').set(platform).expect(200)).body.items.map((t: { id: string }) => t.id);
  assert.ok(all.includes(template.id) && all.includes(w.foreignTenantId));
});

test('bad white-label input is refused with a code and writes nothing', async () => {
  const http = request(w.baseUrl);
  const reseller = { authorization: `Bearer ${await w.token('rf-reseller-admin')}` };
  const base = { name: 'Bad', legalName: 'Bad Ltd' };
  const cases: [Record<string, unknown>, number, string][] = [
    [{ slug: 'bad-lei', lei: '529900T8BM49AURSDO56' }, 422, 'TEN_ERR_INVALID_LEI'],
    [{ slug: 'bad-locale', defaultLocale: 'de', allowedLocales: ['en'] }, 422, 'TEN_ERR_INVALID_LOCALES'],
    [
      { slug: 'bad-logo', branding: { logo: { mediaType: 'image/png', data: Buffer.from('<html>not a png</html>').toString('base64') } } },
      422,
      'TEN_ERR_LOGO_UNSUPPORTED_TYPE',
    ],
    [{ slug: 'bad-domain', branding: { customDomain: '127.0.0.1' } }, 422, 'TEN_ERR_INVALID_DOMAIN'],
    [{ slug: 'rf-alpha' }, 409, 'TEN_ERR_SLUG_TAKEN'],
    [{ slug: 'Bad Slug' }, 400, 'API_ERR_VALIDATION'],
    [{ slug: 'bad-extra', logoUrl: 'https://evil.example/logo.png' }, 400, 'API_ERR_VALIDATION'],
  ];
  for (const [body, status, code] of cases) {
    const response = await http
      .post('/v1/reseller/tenants')
      .set(reseller)
      .send({ ...base, ...body })
      .expect(status);
    assert.equal(response.body.code, code, JSON.stringify(body));
  }
  const [row] = await w.t.admin`select count(*)::int as n from tenants where slug like 'bad-%'`;
  assert.equal(row?.n, 0);
});

test('a custom domain in Host selects the tenant’s theme without any query', async () => {
  const reseller = { authorization: `Bearer ${await w.token('rf-reseller-admin')}` };
  const launched = await w.app.inject({
    method: 'POST',
    url: '/v1/reseller/tenants',
    headers: reseller,
    payload: {
      slug: 'orion',
      name: 'Orion',
      legalName: 'Orion Ltd',
      branding: { displayName: 'Orion Markets', customDomain: 'Trade.Orion.Example.' },
    },
  });
  assert.equal(launched.statusCode, 201, launched.body);
  assert.equal(launched.json().tenant.branding.customDomain, 'trade.orion.example');
  const theme = await w.app.inject({ method: 'GET', url: '/v1/branding', headers: { host: 'trade.orion.example:443' } });
  assert.equal(theme.statusCode, 200, theme.body);
  assert.equal(theme.json().displayName, 'Orion Markets');
  const unknown = await w.app.inject({ method: 'GET', url: '/v1/branding', headers: { host: 'nobody.example' } });
  assert.equal(unknown.statusCode, 404);
  const taken = await w.app.inject({
    method: 'POST',
    url: '/v1/reseller/tenants',
    headers: reseller,
    payload: { slug: 'orion-2', name: 'Copycat', legalName: 'Copycat Ltd', branding: { customDomain: 'trade.orion.example' } },
  });
  assert.equal(taken.statusCode, 409);
  assert.equal(taken.json().code, 'TEN_ERR_DOMAIN_TAKEN');
});

test('the development issuer refuses to start in production', async () => {
  const { buildApp } = await import('../src/app.ts');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await assert.rejects(
      buildApp({
        db: w.t.db,
        closeDatabase: false,
        devIssuer: { baseUrl: 'http://127.0.0.1:1', clients: [] },
        graphiql: false,
        sealAuditEvents: false,
      }),
      /refuses to start when NODE_ENV=production/,
    );
  } finally {
    process.env.NODE_ENV = previous;
  }
});
