import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, type FetchImplementation, type JWTPayload, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { TokenExpiredError, TokenInvalidError } from './errors.ts';
import { isRole, type Role } from './roles.ts';

/** Who is calling, as the token says. The tenant is checked against the directory separately. */
export interface Principal {
  subject: string;
  /** The OAuth client the token was issued to (Keycloak's azp). */
  clientId: string;
  tenantId: string | null;
  resellerId: string | null;
  roles: ReadonlySet<Role>;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface TokenVerifierOptions {
  /** Exactly the `iss` claim, e.g. `https://sso.example.com/realms/atrium`. */
  issuer: string;
  /** Atrium's API audience; `aud` must contain it. */
  audience: string;
  /** The API's client id in Keycloak, whose `resource_access` roles also count. */
  apiClientId?: string;
  /** When set, `azp` must be one of these. */
  allowedClients?: readonly string[];
  /** Minimum time between JWKS refetches for an unknown `kid`. */
  jwksCooldownMs?: number;
  /** Verified tokens kept until their `exp`. */
  cacheSize?: number;
  clockToleranceSeconds?: number;
  /** Tests and proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /** The JWKS URI found through discovery (for diagnostics). */
  jwksUri(): Promise<string>;
}

const ALGORITHMS = ['RS256', 'ES256'];
// Headers that would make a verifier fetch or trust a key the token itself points at.
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Verifies OIDC access tokens against the issuer's JWKS (found by discovery),
 * pinned to RS256/ES256, exact issuer, our audience, exp/nbf with bounded
 * skew. Verified tokens are cached until they expire (bounded by count and
 * bytes), so a repeated token costs a map lookup rather than a signature check.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const doFetch: typeof fetch = options.fetch ?? ((url, init) => fetch(url, init));
  const joseFetch: FetchImplementation = (url, init) => doFetch(url, init as RequestInit);
  let jwks: Promise<{ uri: string; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  const cache = new LRUCache<string, Principal>({
    max: options.cacheSize ?? 10_000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (_value, key) => key.length + 256,
  });

  const discover = async () => {
    const url = `${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await doFetch(url, { method: 'GET', headers: { accept: 'application/json' }, redirect: 'error' });
    if (!response.ok) throw new Error(`OIDC discovery at ${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: string; jwks_uri?: string };
    if (document.issuer !== options.issuer) throw new Error(`OIDC discovery names issuer ${document.issuer}, expected ${options.issuer}`);
    if (!document.jwks_uri) throw new Error('OIDC discovery has no jwks_uri');
    const keys = createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 10 * 60_000,
      [customFetch]: joseFetch,
    });
    return { uri: document.jwks_uri, keys };
  };
  const keySet = () => {
    jwks ??= discover().catch((error) => {
      jwks = undefined; // retry discovery on the next token
      throw error;
    });
    return jwks;
  };

  return {
    async jwksUri() {
      return (await keySet()).uri;
    },
    async verify(token) {
      // Keyed by the token itself: a map lookup costs less than hashing it first (≈1 KB an entry).
      const cacheKey = token;
      const cached = cache.get(cacheKey);
      const now = Date.now() / 1000;
      if (cached) {
        if (cached.expiresAt + clockTolerance > now) return cached;
        cache.delete(cacheKey);
      }

      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new TokenInvalidError('not a JWS');
      }
      for (const name of FORBIDDEN_HEADERS) if (name in header) throw new TokenInvalidError(`the ${name} header is not accepted`);
      if (!header.alg || !ALGORITHMS.includes(header.alg)) throw new TokenInvalidError(`algorithm ${header.alg} is not accepted`);

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (await keySet()).keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALGORITHMS,
          clockTolerance,
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new TokenExpiredError();
        if (error instanceof errors.JOSEError) throw new TokenInvalidError(error.code);
        throw error;
      }

      const principal = toPrincipal(payload, options);
      cache.set(cacheKey, principal);
      return principal;
    },
  };
}

function toPrincipal(payload: JWTPayload, options: TokenVerifierOptions): Principal {
  const claims = payload as JWTPayload & {
    azp?: unknown;
    client_id?: unknown;
    tenant_id?: unknown;
    reseller_id?: unknown;
    realm_access?: { roles?: unknown };
    resource_access?: Record<string, { roles?: unknown }>;
  };
  const clientId = typeof claims.azp === 'string' ? claims.azp : typeof claims.client_id === 'string' ? claims.client_id : null;
  if (!clientId) throw new TokenInvalidError('no azp');
  if (options.allowedClients && !options.allowedClients.includes(clientId)) throw new TokenInvalidError('azp is not an allowed client');
  const tenantId = optionalUuid(claims.tenant_id, 'tenant_id');
  const resellerId = optionalUuid(claims.reseller_id, 'reseller_id');
  const roles = new Set<Role>();
  for (const source of [
    claims.realm_access?.roles,
    options.apiClientId ? claims.resource_access?.[options.apiClientId]?.roles : undefined,
  ]) {
    if (Array.isArray(source)) for (const role of source) if (isRole(role)) roles.add(role);
  }
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : clientId,
    clientId,
    tenantId,
    resellerId,
    roles,
    expiresAt: claims.exp as number,
  };
}

function optionalUuid(value: unknown, claim: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !UUID.test(value)) throw new TokenInvalidError(`${claim} is not a UUID`);
  return value;
}
