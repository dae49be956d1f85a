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
// Our code changed a paper book it had not loaded from the record: a defect, never the caller's doing.
export const PaperBookNotLoadedError = createError<'TRD_ERR_PAPER_BOOK_NOT_LOADED', 500, [string, string]>(
  'TRD_ERR_PAPER_BOOK_NOT_LOADED',
  'The paper book of %s was not loaded from the record (%s) before a change',
  500,
);
