import { deleteVenueKeys, type LiveVenue, listVenueKeys, storeVenueKeys } from '@atrium/trading';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { auditContextOf, tenantOf } from '../../plugins/app/auth.ts';
import { Timestamp, Uuid } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';

const Venue = Type.Union([Type.Literal('binance'), Type.Literal('coinbase'), Type.Literal('kraken')]);
const Params = Type.Object({ id: Uuid, venue: Venue }, { additionalProperties: false });
const Summary = Type.Object(
  { accountId: Uuid, venue: Venue, apiKeyHint: Type.String(), createdAt: Timestamp, updatedAt: Timestamp },
  { title: 'VenueKeys', additionalProperties: false, description: 'What is stored, never the keys' },
);

/** An account's keys for live venues: write-only; sealed at rest, bound to tenant and account. */
const venueKeys: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/accounts/:id/venue-keys/:venue',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Store (or replace) the account’s API keys for a venue; they are never returned',
        operationId: 'storeVenueKeys',
        params: Params,
        body: Type.Object(
          {
            apiKey: Type.String({ minLength: 4, maxLength: 512 }),
            secret: Type.String({ minLength: 4, maxLength: 4096 }),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Passphrase, where the venue has one' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Summary, ...problemResponses },
      },
    },
    async (request) => {
      const { id, venue } = request.params as { id: string; venue: LiveVenue };
      const summary = await app.db.withTenant(tenantOf(request), (tx) =>
        storeVenueKeys(
          tx,
          app.vaultMasterKey,
          id,
          venue,
          request.body as { apiKey: string; secret: string; password?: string },
          auditContextOf(request),
        ),
      );
      app.forgetVenue(tenantOf(request), id, venue);
      return summary;
    },
  );

  app.get(
    '/accounts/:id/venue-keys',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Which venues the account has keys for',
        operationId: 'listVenueKeys',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Summary) }, { additionalProperties: false }), ...problemResponses },
      },
    },
    async (request) => ({ items: await app.db.withTenant(tenantOf(request), (tx) => listVenueKeys(tx, request.params.id)) }),
  );

  app.delete(
    '/accounts/:id/venue-keys/:venue',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Forget the account’s keys for a venue',
        operationId: 'deleteVenueKeys',
        params: Params,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { id, venue } = request.params as { id: string; venue: LiveVenue };
      await app.db.withTenant(tenantOf(request), (tx) => deleteVenueKeys(tx, id, venue, auditContextOf(request)));
      app.forgetVenue(tenantOf(request), id, venue);
      return reply.code(204).send(null);
    },
  );
};

export default venueKeys;
