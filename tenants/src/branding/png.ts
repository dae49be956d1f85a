import { crc32 } from 'node:zlib';
import { LogoInvalidError } from './errors.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const MAX_PNG_DIMENSION = 4096;

// Bit depths the PNG specification allows for each colour type (section 11.2.2).
const BIT_DEPTHS_BY_COLOUR_TYPE = new Map<number, readonly number[]>([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

export function hasPngSignature(bytes: Buffer): boolean {
  return bytes.length >= PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

/**
 * Walks every chunk: IHDR first with sane dimensions, every CRC correct, at least one IDAT, and IEND as the very
 * last bytes. Refusing trailing data after IEND is what stops PNG/HTML and PNG/ZIP polyglots.
 */
export function assertWellFormedPng(bytes: Buffer): void {
  let offset = PNG_SIGNATURE.length;
  let chunkIndex = 0;
  let sawImageData = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw invalidPng('a chunk header is truncated');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (!/^[A-Za-z]{4}$/.test(type)) throw invalidPng('a chunk type is malformed');
    if (dataEnd + 4 > bytes.length) throw invalidPng(`the ${type} chunk is truncated`);
    if (crc32(bytes.subarray(offset + 4, dataEnd)) !== bytes.readUInt32BE(dataEnd)) {
      throw invalidPng(`the ${type} chunk fails its CRC`);
    }

    if (chunkIndex === 0) {
      if (type !== 'IHDR' || length !== 13) throw invalidPng('the first chunk is not a 13-byte IHDR');
      assertSaneHeader(bytes.subarray(dataStart, dataEnd));
    } else if (type === 'IHDR') {
      throw invalidPng('IHDR appears more than once');
    }
    if (type === 'IDAT') sawImageData = true;
    if (type === 'IEND') {
      if (length !== 0) throw invalidPng('IEND carries data');
      if (dataEnd + 4 !== bytes.length) throw invalidPng('bytes follow the IEND chunk');
      if (!sawImageData) throw invalidPng('there is no IDAT chunk');
      return;
    }
    offset = dataEnd + 4;
    chunkIndex++;
  }
  throw invalidPng('there is no IEND chunk');
}

function assertSaneHeader(header: Buffer): void {
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth, colourType, compression, filter, interlace] = header.subarray(8, 13);
  if (width < 1 || width > MAX_PNG_DIMENSION || height < 1 || height > MAX_PNG_DIMENSION) {
    throw invalidPng(`dimensions ${width}x${height} are outside 1..${MAX_PNG_DIMENSION}`);
  }
  const allowedDepths = colourType === undefined ? undefined : BIT_DEPTHS_BY_COLOUR_TYPE.get(colourType);
  if (!allowedDepths || bitDepth === undefined || !allowedDepths.includes(bitDepth)) {
    throw invalidPng(`bit depth ${bitDepth} with colour type ${colourType} is not allowed`);
  }
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
    throw invalidPng('IHDR names an unknown compression, filter or interlace method');
  }
}

function invalidPng(reason: string) {
  return new LogoInvalidError('PNG image', reason);
}
