import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { LogoInvalidError, LogoTooLargeError, LogoUnsupportedTypeError, MAX_LOGO_BYTES, validateLogo } from '../src/branding/index.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(8 + data.length + 4);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return chunk;
}

function pngHeader(width: number, height: number, bitDepth = 8, colourType = 6): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colourType;
  return header;
}

/** A real RGBA PNG filled with one colour: signature, IHDR, one zlib-compressed IDAT, IEND. */
function buildPng({ width = 1, height = 1, header = pngHeader(width, height) } = {}): Buffer {
  const row = Buffer.alloc(1 + width * 4); // filter byte 0, then RGBA pixels
  for (let x = 0; x < width; x++) row.set([0x1f, 0x4e, 0x79, 0xff], 1 + x * 4);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(pixels)), pngChunk('IEND', Buffer.alloc(0))]);
}

function rejectsWith(code: string, reason?: RegExp) {
  return (error: unknown) => {
    assert.equal((error as { code?: string }).code, code);
    assert.equal((error as { statusCode?: number }).statusCode, 422);
    if (reason) assert.match((error as Error).message, reason);
    return true;
  };
}

test('accepts a well-formed 1x1 PNG and returns its bytes untouched', () => {
  const png = buildPng();
  const logo = validateLogo(png);
  assert.equal(logo.mediaType, 'image/png');
  assert.deepEqual(logo.bytes, png);
});

test('accepts a PNG declared as image/png, whatever the case or parameters of the declaration', () => {
  const png = buildPng({ width: 3, height: 2 });
  assert.equal(validateLogo(png, 'image/png').mediaType, 'image/png');
  assert.equal(validateLogo(png, 'Image/PNG; charset=binary').mediaType, 'image/png');
});

test('accepts the largest allowed dimensions and rejects zero or more than 4096 pixels a side', () => {
  assert.equal(validateLogo(buildPng({ width: 4096, height: 1 })).mediaType, 'image/png');
  assert.throws(() => validateLogo(buildPng({ width: 4097, height: 1 })), rejectsWith('TEN_ERR_LOGO_INVALID', /4097x1/));
  assert.throws(() => validateLogo(buildPng({ width: 1, height: 4097 })), rejectsWith('TEN_ERR_LOGO_INVALID', /1x4097/));
  assert.throws(() => validateLogo(buildPng({ width: 1, height: 1, header: pngHeader(0, 1) })), rejectsWith('TEN_ERR_LOGO_INVALID', /0x1/));
});

test('rejects an IHDR with a bit depth its colour type does not allow', () => {
  assert.throws(
    () => validateLogo(buildPng({ header: pngHeader(1, 1, 4, 6) })),
    rejectsWith('TEN_ERR_LOGO_INVALID', /bit depth 4 with colour type 6/),
  );
});

test('rejects a PNG truncated anywhere: mid-IDAT, before IEND, or after the signature', () => {
  const png = buildPng({ width: 8, height: 8 });
  assert.throws(() => validateLogo(png.subarray(0, png.length - 20)), rejectsWith('TEN_ERR_LOGO_INVALID', /truncated/));
  assert.throws(() => validateLogo(png.subarray(0, png.length - 12)), rejectsWith('TEN_ERR_LOGO_INVALID', /no IEND/));
  assert.throws(() => validateLogo(PNG_SIGNATURE), rejectsWith('TEN_ERR_LOGO_INVALID', /no IEND/));
  assert.throws(() => validateLogo(png.subarray(0, 20)), rejectsWith('TEN_ERR_LOGO_INVALID', /truncated/));
});

test('rejects a PNG/HTML polyglot: bytes after IEND', () => {
  const polyglot = Buffer.concat([buildPng(), Buffer.from('<html><script>alert(document.domain)</script></html>')]);
  assert.throws(() => validateLogo(polyglot), rejectsWith('TEN_ERR_LOGO_INVALID', /follow the IEND/));
});

test('rejects a PNG signature followed by something other than IHDR', () => {
  const noHeader = Buffer.concat([PNG_SIGNATURE, pngChunk('IDAT', deflateSync(Buffer.alloc(5))), pngChunk('IEND', Buffer.alloc(0))]);
  assert.throws(() => validateLogo(noHeader), rejectsWith('TEN_ERR_LOGO_INVALID', /first chunk is not a 13-byte IHDR/));
  const htmlAfterSignature = Buffer.concat([PNG_SIGNATURE, Buffer.from('<html><body>hello</body></html>')]);
  assert.throws(() => validateLogo(htmlAfterSignature), rejectsWith('TEN_ERR_LOGO_INVALID'));
});

test('rejects a PNG without image data or with a corrupted chunk', () => {
  const noImageData = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', pngHeader(1, 1)), pngChunk('IEND', Buffer.alloc(0))]);
  assert.throws(() => validateLogo(noImageData), rejectsWith('TEN_ERR_LOGO_INVALID', /no IDAT/));
  const corrupted = Buffer.from(buildPng());
  corrupted[45] = (corrupted[45] ?? 0) ^ 0xff; // IDAT data starts at 8 + 25 + 8 = 41
  assert.throws(() => validateLogo(corrupted), rejectsWith('TEN_ERR_LOGO_INVALID', /IDAT chunk fails its CRC/));
});

test('rejects JPEG and GIF images as unsupported types', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(64)]);
  const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), Buffer.alloc(32)]);
  assert.throws(
    () => validateLogo(jpeg),
    (error) => error instanceof LogoUnsupportedTypeError,
  );
  assert.throws(() => validateLogo(gif), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE', /neither/));
  assert.throws(() => validateLogo(gif, 'image/gif'), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE', /declared as "image\/gif"/));
});

test('treats application/octet-stream as no declaration at all', () => {
  assert.equal(validateLogo(buildPng(), 'application/octet-stream').mediaType, 'image/png');
});

test('trusts the bytes over the declared type: a PNG declared as SVG is refused', () => {
  assert.throws(
    () => validateLogo(buildPng(), 'image/svg+xml'),
    (error: unknown) =>
      error instanceof LogoInvalidError && error.code === 'TEN_ERR_LOGO_INVALID' && /content is image\/png/.test(error.message),
  );
});

test('rejects an empty upload', () => {
  assert.throws(() => validateLogo(Buffer.alloc(0)), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE', /empty/));
});

test('rejects anything over 256 KiB before looking at it, and takes exactly 256 KiB to the type check', () => {
  assert.equal(MAX_LOGO_BYTES, 262_144);
  const oversized = Buffer.concat([buildPng(), Buffer.alloc(MAX_LOGO_BYTES)]);
  assert.throws(
    () => validateLogo(oversized, 'image/png'),
    (error: unknown) =>
      error instanceof LogoTooLargeError &&
      error.code === 'TEN_ERR_LOGO_TOO_LARGE' &&
      error.statusCode === 422 &&
      error.message === `Logo is ${oversized.length} bytes; the limit is 262144 bytes`,
  );
  assert.throws(() => validateLogo(Buffer.alloc(MAX_LOGO_BYTES + 1, 0x20)), rejectsWith('TEN_ERR_LOGO_TOO_LARGE'));
  assert.throws(() => validateLogo(Buffer.alloc(MAX_LOGO_BYTES, 0x20)), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE'));
});
