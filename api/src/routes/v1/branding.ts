import {
  findBranding,
  normaliseCustomDomain,
  type PublicBranding,
  renderBrandingCss,
  TenantNotFoundError,
  toBrandingTheme,
} from '@atrium/tenants';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { problemResponses } from '../../schemas/problem.ts';
import { BrandingQuery, BrandingThemeSchema } from '../../schemas/white-label.ts';

/** Public theming: a custom domain in Host wins, else ?tenant=slug. */
const branding: FastifyPluginAsyncTypebox = async (app) => {
  async function resolve(request: FastifyRequest): Promise<PublicBranding> {
    const domain = normaliseCustomDomain(request.hostname);
    const slug = (request.query as { tenant?: string }).tenant;
    const found = (domain ? await findBranding(app.db, { domain }) : null) ?? (slug ? await findBranding(app.db, { slug }) : null);
    if (!found) throw new TenantNotFoundError();
    return found;
  }

  app.get(
    '/branding',
    {
      schema: {
        tags: ['branding'],
        summary: 'A tenant’s theme, by custom domain (Host) or ?tenant=slug',
        operationId: 'getBranding',
        querystring: BrandingQuery,
        security: [],
        response: { 200: BrandingThemeSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return toBrandingTheme((await resolve(request)).tenant);
    },
  );

  app.get(
    '/branding.css',
    {
      schema: {
        tags: ['branding'],
        summary: 'The theme as CSS custom properties',
        operationId: 'getBrandingCss',
        querystring: BrandingQuery,
        security: [],
        response: { 200: { content: { 'text/css': { schema: Type.String() } } }, ...problemResponses },
      },
    },
    async (request, reply) => {
      const css = renderBrandingCss(toBrandingTheme((await resolve(request)).tenant));
      return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=60').send(css);
    },
  );

  app.get(
    '/branding/logo',
    {
      schema: {
        tags: ['branding'],
        summary: 'The tenant’s logo (PNG, or SVG sanitised on upload)',
        operationId: 'getBrandingLogo',
        querystring: BrandingQuery,
        security: [],
        response: {
          200: {
            content: {
              'image/png': { schema: Type.String({ format: 'binary' }) },
              'image/svg+xml': { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { logo } = await resolve(request);
      if (!logo) throw new TenantNotFoundError();
      // An SVG is served as an image, never as a document that could run script.
      return reply
        .type(logo.mediaType)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=300')
        .send(logo.bytes);
    },
  );
};

export default branding;
