import createError from '@fastify/error';

// The trading package's error registry. Status codes are the HTTP mapping the front doors use.
export const AccountNotFoundError = createError('TRD_ERR_ACCOUNT_NOT_FOUND', 'Account not found', 404);
export const AccountCodeTakenError = createError('TRD_ERR_ACCOUNT_CODE_TAKEN', 'An account with code %s already exists', 409);
export const AccountClosedError = createError('TRD_ERR_ACCOUNT_CLOSED', 'Account %s is closed', 422);
export const InvalidDecimalError = createError<'TRD_ERR_INVALID_DECIMAL', 400, [string, string]>(
  'TRD_ERR_INVALID_DECIMAL',
  '%s must be a decimal string in plain notation, got %s',
  400,
);
