import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BrandingTheme, normaliseCustomDomain, renderBrandingCss, toBrandingTheme } from '../src/branding/index.ts';
import type { Tenant } from '../src/index.ts';

function tenantWith(slug: string, branding: Partial<Tenant['branding']> = {}): Pick<Tenant, 'slug' | 'branding'> {
  return {
    slug,
    branding: {
      displayName: 'Acme Capital',
      primaryColor: null,
      secondaryColor: null,
      logoMediaType: null,
      customDomain: null,
      ...branding,
    },
  };
}

test('builds the public theme from a fully branded tenant', () => {
  const theme = toBrandingTheme(
    tenantWith('acme', {
      primaryColor: '#0A3D62',
      secondaryColor: '#fafafa',
      logoMediaType: 'image/svg+xml',
      customDomain: 'trade.acme.example',
    }),
  );
  assert.deepEqual(theme, {
    tenant: 'acme',
    displayName: 'Acme Capital',
    colors: { primary: '#0a3d62', secondary: '#fafafa' },
    logoUrl: '/v1/branding/logo?tenant=acme',
    customDomain: 'trade.acme.example',
  } satisfies BrandingTheme);
});

test('falls back to the default colours when none are set, and to no logo URL without a logo', () => {
  assert.deepEqual(toBrandingTheme(tenantWith('plain')), {
    tenant: 'plain',
    displayName: 'Acme Capital',
    colors: { primary: '#1f4e79', secondary: '#f2f2f2' },
    logoUrl: null,
    customDomain: null,
  });
});

test('replaces a malformed stored colour with the default instead of passing it through', () => {
  for (const bad of ['red', '#fff', '#12345g', '#1234567', '1f4e79', '#1f4e79;}body{display:none', ' #1f4e79']) {
    const theme = toBrandingTheme(tenantWith('acme', { primaryColor: bad, secondaryColor: bad }));
    assert.deepEqual(theme.colors, { primary: '#1f4e79', secondary: '#f2f2f2' }, bad);
  }
});

test('renders the theme as CSS custom properties on :root', () => {
  const css = renderBrandingCss(
    toBrandingTheme(tenantWith('acme', { displayName: 'Acme Capital', primaryColor: '#0A3D62', logoMediaType: 'image/png' })),
  );
  assert.equal(
    css,
    [
      ':root {',
      '  --atrium-brand-display-name: "Acme Capital";',
      '  --atrium-brand-primary: #0a3d62;',
      '  --atrium-brand-secondary: #f2f2f2;',
      '  --atrium-brand-logo-url: url("/v1/branding/logo?tenant=acme");',
      '}',
      '',
    ].join('\n'),
  );
});

test('renders "none" as the logo when the tenant has no logo', () => {
  assert.match(renderBrandingCss(toBrandingTheme(tenantWith('plain'))), /^ {2}--atrium-brand-logo-url: none;$/m);
});

test('escapes a display name so quotes, backslashes, newlines and </style> cannot break out', () => {
  const css = renderBrandingCss(toBrandingTheme(tenantWith('acme', { displayName: 'A "B" \\ C\n</style><script>x' })));
  assert.match(
    css,
    /^ {2}--atrium-brand-display-name: "A \\000022 B\\000022 {2}\\00005c {2}C\\00000a \\00003c \\00002f style\\00003e \\00003c script\\00003e x";$/m,
  );
  assert.equal(css.split('\n').length, 7);
  assert.equal(css.match(/"/g)?.length, 2);
  assert.doesNotMatch(css, /[<>]/);
});

test('escapes each non-ASCII character as one code point, astral ones included', () => {
  const css = renderBrandingCss(toBrandingTheme(tenantWith('acme', { displayName: 'Zürich 🚀' })));
  assert.match(css, /--atrium-brand-display-name: "Z\\0000fc rich \\01f680 ";/);
});

test('escapes a slug with unusual characters inside the logo URL', () => {
  const theme = toBrandingTheme(tenantWith('a")b', { logoMediaType: 'image/png' }));
  assert.equal(theme.logoUrl, '/v1/branding/logo?tenant=a%22)b');
  assert.match(renderBrandingCss(theme), /--atrium-brand-logo-url: url\("\/v1\/branding\/logo\?tenant=a%22\\000029 b"\);/);
});

test('re-validates colours when rendering a hand-built theme', () => {
  const theme: BrandingTheme = {
    tenant: 'acme',
    displayName: 'Acme',
    colors: { primary: 'red;}*{display:none', secondary: '#ABCDEF' },
    logoUrl: null,
    customDomain: null,
  };
  const css = renderBrandingCss(theme);
  assert.match(css, /--atrium-brand-primary: #1f4e79;/);
  assert.match(css, /--atrium-brand-secondary: #abcdef;/);
});

test('normalises a custom domain: lower case, no port, no trailing dot', () => {
  assert.equal(normaliseCustomDomain('Trade.Acme.EXAMPLE'), 'trade.acme.example');
  assert.equal(normaliseCustomDomain('trade.acme.example:8443'), 'trade.acme.example');
  assert.equal(normaliseCustomDomain('trade.acme.example.'), 'trade.acme.example');
  assert.equal(normaliseCustomDomain('Trade.Acme.Example.:443'), 'trade.acme.example');
  assert.equal(normaliseCustomDomain('xn--zrich-kva.example'), 'xn--zrich-kva.example');
  assert.equal(normaliseCustomDomain('a-1.b2.io'), 'a-1.b2.io');
});

test('accepts labels of 63 characters and names of 253, and nothing longer', () => {
  const label63 = 'a'.repeat(63);
  assert.equal(normaliseCustomDomain(`${label63}.example`), `${label63}.example`);
  assert.equal(normaliseCustomDomain(`${'a'.repeat(64)}.example`), null);
  const name253 = `${[label63, label63, label63].join('.')}.${'b'.repeat(61)}`;
  assert.equal(name253.length, 253);
  assert.equal(normaliseCustomDomain(name253), name253);
  assert.equal(normaliseCustomDomain(`${name253}.`), name253);
  assert.equal(normaliseCustomDomain(`c${name253}`), null);
});

test('rejects names that are not public DNS hostnames', () => {
  for (const host of [
    '',
    '.',
    'example',
    'localhost',
    'localhost:3000',
    'app.localhost',
    '127.0.0.1',
    '10.0.0.1:443',
    '127.1',
    '1.0x7f',
    '[::1]',
    '[::1]:443',
    '::1',
    'fe80::1',
    '-acme.example',
    'acme-.example',
    'ac_me.example',
    'acme..example',
    '.acme.example',
    'acme.example..',
    'acme.example:port',
    'acme.example/path',
    'user@acme.example',
    'zürich.example',
    'acme example.com',
  ]) {
    assert.equal(normaliseCustomDomain(host), null, JSON.stringify(host));
  }
});
