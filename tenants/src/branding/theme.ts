import type { Tenant } from '../directory.ts';

export const DEFAULT_PRIMARY_COLOR = '#1f4e79';
export const DEFAULT_SECONDARY_COLOR = '#f2f2f2';

export interface BrandingTheme {
  tenant: string;
  displayName: string;
  colors: { primary: string; secondary: string };
  logoUrl: string | null;
  customDomain: string | null;
}

const BRAND_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The public theme of a tenant: what a login page or a white-label front end needs to look like the tenant. */
export function toBrandingTheme(tenant: Pick<Tenant, 'slug' | 'branding'>): BrandingTheme {
  const { slug, branding } = tenant;
  return {
    tenant: slug,
    displayName: branding.displayName,
    colors: {
      primary: brandColorOr(branding.primaryColor, DEFAULT_PRIMARY_COLOR),
      secondary: brandColorOr(branding.secondaryColor, DEFAULT_SECONDARY_COLOR),
    },
    logoUrl: branding.logoMediaType ? `/v1/branding/logo?tenant=${encodeURIComponent(slug)}` : null,
    customDomain: branding.customDomain,
  };
}

/** The theme as CSS custom properties on :root. Every string is escaped, so no value can end the rule or the <style>. */
export function renderBrandingCss(theme: BrandingTheme): string {
  const logo = theme.logoUrl === null ? 'none' : `url("${escapeCssString(theme.logoUrl, CSS_URL_SAFE)}")`;
  return [
    ':root {',
    `  --atrium-brand-display-name: "${escapeCssString(theme.displayName, CSS_TEXT_SAFE)}";`,
    `  --atrium-brand-primary: ${brandColorOr(theme.colors.primary, DEFAULT_PRIMARY_COLOR)};`,
    `  --atrium-brand-secondary: ${brandColorOr(theme.colors.secondary, DEFAULT_SECONDARY_COLOR)};`,
    `  --atrium-brand-logo-url: ${logo};`,
    '}',
    '',
  ].join('\n');
}

// A stored colour that is missing or malformed falls back to the default rather than breaking the tenant's pages.
function brandColorOr(color: string | null, fallback: string): string {
  return color !== null && BRAND_COLOR.test(color) ? color.toLowerCase() : fallback;
}

const CSS_TEXT_SAFE = /[A-Za-z0-9 _.,-]/;
const CSS_URL_SAFE = /[A-Za-z0-9_.,\-/?=&%]/;

// Six-digit escapes always end in a space, so the character after an escape can never be read as part of it.
function escapeCssString(value: string, safe: RegExp): string {
  let escaped = '';
  for (const char of value) {
    escaped += safe.test(char) ? char : `\\${(char.codePointAt(0) ?? 0).toString(16).padStart(6, '0')} `;
  }
  return escaped;
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A tenant's custom domain in canonical form (`Portal.Example.COM.:443` → `portal.example.com`), or null when it is
 * not a public DNS hostname: IP literals, `localhost` and single-label names are refused.
 */
export function normaliseCustomDomain(host: string): string | null {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) return null; // bracketed IPv6 literal, with or without a port
  name = name.replace(/:\d{1,5}$/, '');
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return null;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) return null;
  const topLevel = labels.at(-1) ?? '';
  // A numeric last label makes URL parsers read the name as IPv4 (1.2.3.4, 127.1, 1.0x7f); no real TLD is numeric.
  if (/^(?:[0-9]+|0x[0-9a-f]*)$/.test(topLevel)) return null;
  if (topLevel === 'localhost') return null;
  return name;
}
