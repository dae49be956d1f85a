import createError from '@fastify/error';

export const InvalidLeiError = createError('TEN_ERR_INVALID_LEI', 'Not a valid ISO 17442 legal entity identifier: %s', 422);

// ISO 17442: 18 alphanumeric characters (LOU prefix, reserved digits, entity part) and two check digits.
const LEI_SHAPE = /^[A-Z0-9]{18}[0-9]{2}$/;

/**
 * True when `value` is an ISO 17442 LEI whose check digits satisfy ISO 7064 MOD 97-10.
 * Upper case only: the standard defines no lower-case form, so callers normalise before storing if they must.
 */
export function isValidLei(value: string): boolean {
  if (typeof value !== 'string' || !LEI_SHAPE.test(value)) return false;
  // ISO 7064 only ever issues check digits 02..98; 00, 01 and 99 can satisfy the modulus but are never assigned.
  const checkDigits = Number(value.slice(18));
  if (checkDigits < 2 || checkDigits > 98) return false;
  return mod97(value) === 1;
}

/** Throws TEN_ERR_INVALID_LEI unless `value` is a valid LEI. */
export function assertValidLei(value: string): void {
  if (!isValidLei(value)) throw new InvalidLeiError(JSON.stringify(String(value).slice(0, 40)));
}

// Letters expand to two digits (A=10 … Z=35); folding the remainder digit by digit keeps every step below 2^53.
function mod97(value: string): number {
  let remainder = 0;
  for (const char of value) {
    const code = Number.parseInt(char, 36);
    remainder = code < 10 ? (remainder * 10 + code) % 97 : (remainder * 100 + code) % 97;
  }
  return remainder;
}
