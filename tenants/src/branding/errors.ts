import createError from '@fastify/error';

// Branding's share of the tenants error registry. All are 422: the upload is well-formed HTTP but refused.
export const LogoTooLargeError = createError('TEN_ERR_LOGO_TOO_LARGE', 'Logo is %s bytes; the limit is %s bytes', 422);
export const LogoUnsupportedTypeError = createError('TEN_ERR_LOGO_UNSUPPORTED_TYPE', 'Logo must be a PNG or an SVG image: %s', 422);
export const LogoInvalidError = createError('TEN_ERR_LOGO_INVALID', 'Logo is not a valid %s: %s', 422);
