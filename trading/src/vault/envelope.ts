import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import createError from '@fastify/error';

/*
 * Venue API keys at rest: AES-256-GCM envelope encryption. Each sealed secret gets its own random data
 * key; the data key is encrypted ("wrapped") under the master key from config and stored next to the
 * ciphertext, so rotating the master key rewraps 32-byte keys instead of re-encrypting every secret.
 * Both layers authenticate the tenant and account as associated data: a sealed value copied to another
 * tenant's or account's row fails to open.
 *
 * Sealed format, base64url fields joined by dots:
 *   v1.<wrap iv>.<wrapped data key>.<wrap tag>.<data iv>.<ciphertext>.<data tag>
 */

export interface VenueCredentialFields {
  readonly apiKey: string;
  readonly secret: string;
  /** Some venues call it passphrase. */
  readonly password?: string;
}

export interface CredentialScope {
  readonly tenantId: string;
  readonly accountId: string;
}

export const InvalidMasterKeyError = createError<'TRD_ERR_VAULT_MASTER_KEY', 500, [number]>(
  'TRD_ERR_VAULT_MASTER_KEY',
  'The vault master key must be 32 bytes, got %d',
  500,
);
export const CredentialsUnsealError = createError<'TRD_ERR_VAULT_UNSEAL_FAILED', 500, []>(
  'TRD_ERR_VAULT_UNSEAL_FAILED',
  'Venue credentials could not be opened for this tenant and account',
  500,
);
export const InvalidCredentialsError = createError<'TRD_ERR_VAULT_INVALID_CREDENTIALS', 422, [string]>(
  'TRD_ERR_VAULT_INVALID_CREDENTIALS',
  'Venue credentials need a non-empty %s',
  422,
);

const REDACTED = '[redacted]';

/**
 * Credentials that cannot end up in a log: JSON.stringify, util.inspect (console.log, pino's fallbacks),
 * String() and object spread all show '[redacted]' or nothing. The values live in private fields and
 * are reachable only through the getters, which is what the venue adapters read.
 */
export class VenueCredentials implements VenueCredentialFields {
  readonly #apiKey: string;
  readonly #secret: string;
  readonly #password: string | undefined;

  constructor(fields: VenueCredentialFields) {
    this.#apiKey = requireText(fields.apiKey, 'apiKey');
    this.#secret = requireText(fields.secret, 'secret');
    this.#password = fields.password === undefined ? undefined : requireText(fields.password, 'password');
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  get secret(): string {
    return this.#secret;
  }

  get password(): string | undefined {
    return this.#password;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealVenueCredentials(masterKey: Buffer, scope: CredentialScope, credentials: VenueCredentialFields): string {
  checkMasterKey(masterKey);
  const fields = new VenueCredentials(credentials);
  const plaintext = Buffer.from(
    JSON.stringify({
      apiKey: fields.apiKey,
      secret: fields.secret,
      ...(fields.password === undefined ? {} : { password: fields.password }),
    }),
    'utf8',
  );
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const wrapped = encrypt(masterKey, dataKey, associatedData(scope, 'data-key'));
    const sealed = encrypt(dataKey, plaintext, associatedData(scope, 'credentials'));
    return [VERSION, ...wrapped, ...sealed].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  } finally {
    dataKey.fill(0);
    plaintext.fill(0);
  }
}

/** Throws CredentialsUnsealError for a wrong master key, another tenant's or account's value, or any tampering. */
export function openVenueCredentials(masterKey: Buffer, scope: CredentialScope, sealed: string): VenueCredentials {
  checkMasterKey(masterKey);
  const parts = sealed.split('.');
  if (parts.length !== 7 || parts[0] !== VERSION) throw new CredentialsUnsealError();
  const [wrapIv, wrappedKey, wrapTag, dataIv, ciphertext, dataTag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  let dataKey: Buffer | undefined;
  let plaintext: Buffer | undefined;
  try {
    dataKey = decrypt(masterKey, [wrapIv, wrappedKey, wrapTag], associatedData(scope, 'data-key'));
    plaintext = decrypt(dataKey, [dataIv, ciphertext, dataTag], associatedData(scope, 'credentials'));
    const fields: unknown = JSON.parse(plaintext.toString('utf8'));
    if (!isCredentialFields(fields)) throw new CredentialsUnsealError();
    return new VenueCredentials(fields);
  } catch {
    // One error, without a cause, for every failure: which layer failed is of use to an attacker only,
    // and a JSON.parse message would quote the decrypted text.
    throw new CredentialsUnsealError();
  } finally {
    dataKey?.fill(0);
    plaintext?.fill(0);
  }
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): [Buffer, Buffer, Buffer] {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()];
}

function decrypt(key: Buffer, [iv, ciphertext, tag]: (Buffer | undefined)[], aad: Buffer): Buffer {
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) throw new CredentialsUnsealError();
  // authTagLength pins the tag to 16 bytes: GCM would otherwise accept a truncated tag.
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function associatedData(scope: CredentialScope, layer: 'data-key' | 'credentials'): Buffer {
  // A JSON array keeps the fields unambiguous ("a.b" + "c" never equals "a" + "b.c").
  return Buffer.from(
    JSON.stringify([
      'atrium/venue-credentials/v1',
      layer,
      requireText(scope.tenantId, 'tenantId'),
      requireText(scope.accountId, 'accountId'),
    ]),
    'utf8',
  );
}

function checkMasterKey(masterKey: Buffer): void {
  if (!Buffer.isBuffer(masterKey) || masterKey.length !== KEY_BYTES)
    throw new InvalidMasterKeyError(Buffer.isBuffer(masterKey) ? masterKey.length : 0);
}

function isCredentialFields(value: unknown): value is VenueCredentialFields {
  if (typeof value !== 'object' || value === null) return false;
  const { apiKey, secret, password } = value as Record<string, unknown>;
  return typeof apiKey === 'string' && typeof secret === 'string' && (password === undefined || typeof password === 'string');
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidCredentialsError(field);
  return value;
}
