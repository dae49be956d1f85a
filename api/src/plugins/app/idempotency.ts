import { createHash } from 'node:crypto';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '@atrium/db';
import createError from '@fastify/error';
import canonicalize from 'canonicalize';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export const IdempotencyMismatchError = createError(
  'API_ERR_IDEMPOTENCY_KEY_REUSED',
  'This idempotency key was used for a different request',
  422,
);
export const IdempotencyInFlightError = createError(
  'API_ERR_IDEMPOTENCY_IN_FLIGHT',
  'A request with this idempotency key is still in progress',
  409,
);
export const InvalidIdempotencyKeyError = createError(
  'API_ERR_INVALID_IDEMPOTENCY_KEY',
  'Idempotency-Key must be 1 to 200 visible ASCII characters',
  400,
);

const KEY = /^[\x21-\x7e]{1,200}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Creating POSTs: replay by Idempotency-Key (and by the body field named here, e.g. clientOrderId). */
    idempotent?: { bodyKey?: string };
  }
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

/**
 * Idempotency for creating POSTs, per tenant, kept 24 h: the same key and body
 * replay the first response byte for byte; the same key with another body is a
 * 422; a duplicate while the first is in flight is a 409.
 */
export default fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('idempotencyKey', null);

    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const config = request.routeOptions.config.idempotent;
      if (!config || !request.tenantId) return;
      const header = request.headers['idempotency-key'];
      const bodyValue = config.bodyKey ? (request.body as Record<string, unknown> | undefined)?.[config.bodyKey] : undefined;
      let key: string | null = null;
      if (header !== undefined) {
        if (typeof header !== 'string' || !KEY.test(header)) throw new InvalidIdempotencyKeyError();
        key = `key:${header}`;
      } else if (typeof bodyValue === 'string') {
        key = `${config.bodyKey}:${bodyValue}`;
      }
      if (!key) return;
      const fingerprint = createHash('sha256')
        .update(`${request.method} ${request.routeOptions.url}\n${canonicalize(request.body ?? null) ?? ''}`)
        .digest('hex');
      const claim = await app.db.withTenant(request.tenantId, (tx) => claimIdempotencyKey(tx, key, fingerprint));
      if (claim.outcome === 'mismatch') throw new IdempotencyMismatchError();
      if (claim.outcome === 'in-flight') throw new IdempotencyInFlightError();
      if (claim.outcome === 'replay') {
        const type = claim.status >= 400 ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8';
        return reply.code(claim.status).header('idempotent-replayed', 'true').type(type).send(claim.body);
      }
      request.idempotencyKey = key;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const key = request.idempotencyKey;
      if (!key || !request.tenantId) return payload;
      request.idempotencyKey = null;
      const tenantId = request.tenantId;
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        await app.db.withTenant(tenantId, (tx) => releaseIdempotencyKey(tx, key));
      } else {
        await app.db.withTenant(tenantId, (tx) => completeIdempotencyKey(tx, key, reply.statusCode, payload));
      }
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['database', 'auth'] },
);
