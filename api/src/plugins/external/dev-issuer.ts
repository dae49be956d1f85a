import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '@atrium/db';
import { findApiClientCredentials, isApiClientUsable, isHashedSecret, verifyClientSecret } from '@atrium/tenants';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Adapter, type AdapterConstructor, type AdapterPayload, errors } from 'oidc-provider';

/** The Keycloak realm path the development issuer lives under, on the API's own server. */
export const DEV_REALM_PATH = '/realms/atrium';
export const API_AUDIENCE = 'atrium-api';
const RESOURCE = 'urn:atrium:api';

export interface StaticClient {
  clientId: string;
  secret: string;
  tenantId?: string;
  resellerId?: string;
  roles: string[];
}

export interface DevIssuerOptions {
  /** Public base URL of this server, e.g. http://127.0.0.1:3000; the issuer is base + DEV_REALM_PATH. */
  baseUrl: string;
  db: Database;
  clients: StaticClient[];
  accessTokenTtlSeconds?: number;
  /** Private signing JWKs (RS256, with kid), newest first; generated when absent. Tests pass their own to forge edge cases. */
  keys?: JWK[];
}

export interface DevIssuer {
  issuer: string;
  /** New signing key first; the previous key stays published so its tokens verify until they expire. */
  rotateKeys(next?: JWK): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    devIssuer: DevIssuer | null;
  }
}

export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `dev-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, alg: 'RS256', use: 'sig' };
}

/**
 * A real OIDC provider (npm oidc-provider) shaped like a Keycloak realm, for
 * development and tests only: client-credentials tokens as RS256 JWTs with
 * Keycloak's claims (azp, realm_access.roles) plus tenant_id / reseller_id.
 * Demo clients are static; tenant API clients are looked up in PostgreSQL and
 * their secrets checked against the stored scrypt hash.
 */
export default fp(
  async (app: FastifyInstance, options: DevIssuerOptions) => {
    if (process.env.NODE_ENV === 'production') throw new Error('the development OIDC issuer refuses to start when NODE_ENV=production');
    const issuer = `${options.baseUrl.replace(/\/$/, '')}${DEV_REALM_PATH}`;
    const statics = new Map(options.clients.map((client) => [client.clientId, client]));
    let keys: JWK[] = options.keys?.length ? [...options.keys] : [await newSigningKey()];

    const build = () => {
      const provider = new Provider(issuer, {
        clients: options.clients.map((client) => ({
          client_id: client.clientId,
          client_secret: client.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_basic',
        })),
        clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
        adapter: ((model: string) => new DatabaseClientAdapter(options.db, model)) as unknown as AdapterConstructor,
        jwks: { keys },
        features: {
          devInteractions: { enabled: false },
          clientCredentials: { enabled: true },
          introspection: { enabled: false },
          revocation: { enabled: false },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => RESOURCE,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, resource) => {
              if (resource !== RESOURCE) throw new errors.InvalidTarget();
              return {
                scope: 'api',
                audience: API_AUDIENCE,
                accessTokenTTL: options.accessTokenTtlSeconds ?? 300,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        },
        routes: {
          token: '/protocol/openid-connect/token',
          jwks: '/protocol/openid-connect/certs',
          authorization: '/protocol/openid-connect/auth',
          userinfo: '/protocol/openid-connect/userinfo',
          end_session: '/protocol/openid-connect/logout',
        },
        scopes: ['api'],
        ttl: { ClientCredentials: options.accessTokenTtlSeconds ?? 300 },
        // Keycloak's claim shapes, so the verifier cannot tell this issuer from a realm.
        extraTokenClaims: async (_ctx, token) => {
          const clientId = (token as unknown as { clientId: string }).clientId;
          const known = statics.get(clientId);
          if (known) {
            return {
              azp: clientId,
              realm_access: { roles: known.roles },
              ...(known.tenantId ? { tenant_id: known.tenantId } : {}),
              ...(known.resellerId ? { reseller_id: known.resellerId } : {}),
            };
          }
          const stored = await findApiClientCredentials(options.db, clientId);
          return stored ? { azp: clientId, tenant_id: stored.tenantId, realm_access: { roles: stored.roles } } : { azp: clientId };
        },
        cookies: { keys: [keys[0]?.kid ?? 'dev'] },
        renderError: (ctx, out) => {
          ctx.type = 'application/json';
          ctx.body = out;
        },
      });
      provider.on('server_error', (_ctx: unknown, err: Error) => app.log.error({ err }, 'development OIDC issuer failed'));
      const compare = provider.Client.prototype.compareClientSecret;
      // Stored API clients keep only a scrypt hash of their secret.
      provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientSecret: string }, actual: string) {
        return isHashedSecret(this.clientSecret) ? verifyClientSecret(this.clientSecret, actual) : compare.call(this, actual);
      };
      return provider.callback() as (req: IncomingMessage, res: ServerResponse) => void;
    };
    let handler = build();

    await app.register(
      async (realm) => {
        // Leave the body to the provider: it reads form posts from the raw request.
        realm.removeAllContentTypeParsers();
        realm.addContentTypeParser('*', (_request, _payload, done) => done(null));
        realm.all('/*', { schema: { hide: true } }, (request, reply) => {
          reply.hijack();
          const raw = request.raw as IncomingMessage & { originalUrl?: string };
          raw.originalUrl = raw.url;
          raw.url = (raw.url ?? '/').slice(DEV_REALM_PATH.length) || '/';
          handler(raw, reply.raw);
        });
      },
      { prefix: DEV_REALM_PATH },
    );

    app.decorate('devIssuer', {
      issuer,
      async rotateKeys(next?: JWK) {
        keys = [next ?? (await newSigningKey()), ...keys].slice(0, 2);
        handler = build();
      },
    } satisfies DevIssuer);
  },
  { name: 'dev-issuer', dependencies: ['database'] },
);

/** oidc-provider storage: clients from PostgreSQL, everything else in memory (dev only). */
class DatabaseClientAdapter implements Adapter {
  private static memory = new Map<string, { payload: AdapterPayload; expiresAt: number | null }>();
  private readonly db: Database;
  private readonly model: string;
  constructor(db: Database, model: string) {
    this.db = db;
    this.model = model;
  }

  private key(id: string) {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
    DatabaseClientAdapter.memory.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'Client') {
      const stored = await findApiClientCredentials(this.db, id);
      if (!stored || !isApiClientUsable(stored)) return undefined;
      return {
        client_id: stored.clientId,
        client_secret: stored.secretHash,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      } as AdapterPayload;
    }
    const entry = DatabaseClientAdapter.memory.get(this.key(id));
    if (!entry || (entry.expiresAt && entry.expiresAt < Date.now())) return undefined;
    return entry.payload;
  }

  async findByUserCode() {
    return undefined;
  }
  async findByUid() {
    return undefined;
  }
  async consume(id: string) {
    const entry = DatabaseClientAdapter.memory.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    DatabaseClientAdapter.memory.delete(this.key(id));
  }
  async revokeByGrantId() {}
}
