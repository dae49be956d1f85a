import createError from '@fastify/error';

// The fix-gateway package's error registry. Status codes are the HTTP mapping the front doors use
// when a FIX session is managed over REST.
export const FixSessionNotFoundError = createError('FIX_ERR_SESSION_NOT_FOUND', 'FIX session not found', 404);
export const FixCompIdsTakenError = createError<'FIX_ERR_COMP_IDS_TAKEN', 409, [string, string]>(
  'FIX_ERR_COMP_IDS_TAKEN',
  'A FIX session with SenderCompID %s and TargetCompID %s already exists',
  409,
);
export const FixApiClientNotFoundError = createError('FIX_ERR_API_CLIENT_NOT_FOUND', 'API client %s not found in this tenant', 422);
export const FixInvalidSessionError = createError('FIX_ERR_INVALID_SESSION', 'Invalid FIX session: %s', 422);
export const FixSessionNotLoggedOnError = createError('FIX_ERR_NOT_LOGGED_ON', 'FIX session %s is not logged on at this gateway', 409);
export const FixMessageInvalidError = createError('FIX_ERR_MESSAGE_INVALID', 'Cannot encode FIX message: %s', 400);
export const FixStoreFencedError = createError('FIX_ERR_STORE_FENCED', 'FIX session %s is owned by another gateway instance', 409);
export const FixTestOnlyError = createError('FIX_ERR_TEST_ONLY', '%s is only available outside production', 500);
export const FixUnsupportedMessageTypeError = createError('FIX_ERR_UNSUPPORTED_MESSAGE_TYPE', 'Unsupported Message Type', 422);
export const FixSessionBusyError = createError('FIX_ERR_SESSION_BUSY', 'FIX session %s is still logged on or logging on', 409);
