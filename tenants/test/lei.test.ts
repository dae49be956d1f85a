import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidLei, InvalidLeiError, isValidLei } from '../src/lei.ts';

// Published LEIs (GLEIF); each was checked against the BigInt reference below before being kept.
const PUBLISHED_LEIS = ['5493001KJTIIGC8Y1R12', 'HWUPKR0MPOU8FGXBT394', '529900T8BM49AURSDO55'];

// The whole 20-character number mod 97, computed the slow, obvious way.
function referenceMod97(value: string): bigint {
  return BigInt([...value].map((char) => Number.parseInt(char, 36)).join('')) % 97n;
}

test('accepts published LEIs, agreeing with a BigInt computation of the modulus', () => {
  for (const lei of PUBLISHED_LEIS) {
    assert.equal(referenceMod97(lei), 1n, lei);
    assert.equal(isValidLei(lei), true, lei);
  }
});

test('rejects an LEI with one character changed', () => {
  assert.equal(isValidLei('5493001KJTIIGC8Y1R13'), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y2R12'), false);
  assert.equal(isValidLei('HWUPKR0MPOU8FGXBT395'), false);
  assert.equal(isValidLei('529900T8BM49AURSDO56'), false);
  assert.equal(isValidLei('529900T8BM49AURSDP55'), false);
});

test('rejects an LEI with swapped check digits or swapped neighbouring characters', () => {
  assert.equal(isValidLei('5493001KJTIIGC8Y1R21'), false);
  assert.equal(isValidLei('HWUPKR0MPOU8FGXBT349'), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y11R2'), false);
  assert.equal(isValidLei('HWUPKR0MPOU8FGXTB394'), false);
});

test('rejects lower case, wrong lengths, letters in the check digits and stray characters', () => {
  assert.equal(isValidLei('5493001kjtiigc8y1r12'), false);
  assert.equal(isValidLei('hwupkr0mpou8fgxbt394'), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y1R1'), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y1R120'), false);
  assert.equal(isValidLei(''), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y1RA2'), false);
  assert.equal(isValidLei(' 5493001KJTIIGC8Y1R12'), false);
  assert.equal(isValidLei('5493001KJTIIGC8Y1R12\n'), false);
  assert.equal(isValidLei('5493001KJ-IIGC8Y1R12'), false);
});

test('rejects check digits 00, 01 and 99, which satisfy the modulus but are never issued', () => {
  // ATRIUMTEST00000019 has check digits 02, so …99 also leaves remainder 1; …84 has 98, so …01 does too.
  assert.equal(isValidLei('ATRIUMTEST0000001902'), true);
  assert.equal(referenceMod97('ATRIUMTEST0000001999'), 1n);
  assert.equal(isValidLei('ATRIUMTEST0000001999'), false);
  assert.equal(isValidLei('ATRIUMTEST0000008498'), true);
  assert.equal(referenceMod97('ATRIUMTEST0000008401'), 1n);
  assert.equal(isValidLei('ATRIUMTEST0000008401'), false);
});

test('cannot catch every letter-for-digit substitution: a MOD 97-10 limit, not a bug to fix here', () => {
  // '1' → 'L' swaps one digit for two ('21') and shifts everything before it a power of ten; this one stays ≡ 1.
  assert.equal(isValidLei('549300LKJTIIGC8Y1R12'), true);
  assert.equal(referenceMod97('549300LKJTIIGC8Y1R12'), 1n);
});

test('rejects non-string input arriving from untyped callers', () => {
  assert.equal(isValidLei(null as unknown as string), false);
  assert.equal(isValidLei(5493001 as unknown as string), false);
});

test('assertValidLei passes a valid LEI and throws TEN_ERR_INVALID_LEI (422) otherwise', () => {
  assert.doesNotThrow(() => assertValidLei('529900T8BM49AURSDO55'));
  assert.throws(
    () => assertValidLei('529900T8BM49AURSDO56'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidLeiError);
      assert.equal(error.code, 'TEN_ERR_INVALID_LEI');
      assert.equal(error.statusCode, 422);
      assert.match(error.message, /"529900T8BM49AURSDO56"/);
      return true;
    },
  );
});
