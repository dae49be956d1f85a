import { LogoInvalidError, LogoTooLargeError, LogoUnsupportedTypeError } from './errors.ts';
import { assertWellFormedPng, hasPngSignature } from './png.ts';
import { sanitiseSvg, xmlRootElementName } from './svg.ts';

export const MAX_LOGO_BYTES = 256 * 1024;

export type LogoMediaType = 'image/png' | 'image/svg+xml';

export interface ValidatedLogo {
  mediaType: LogoMediaType;
  bytes: Buffer;
}

const SUPPORTED_MEDIA_TYPES: readonly string[] = ['image/png', 'image/svg+xml'] satisfies LogoMediaType[];
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks an uploaded logo and returns the bytes to store: a PNG as uploaded, an SVG sanitised. The type comes from
 * the bytes; a declared type (the upload's Content-Type) may only confirm it.
 */
export function validateLogo(bytes: Buffer, declaredMediaType?: string): ValidatedLogo {
  if (bytes.length > MAX_LOGO_BYTES) throw new LogoTooLargeError(bytes.length, MAX_LOGO_BYTES);
  if (bytes.length === 0) throw new LogoUnsupportedTypeError('the upload is empty');

  const declared = declaredType(declaredMediaType);
  if (declared !== undefined && !SUPPORTED_MEDIA_TYPES.includes(declared)) {
    throw new LogoUnsupportedTypeError(`declared as ${JSON.stringify(declared.slice(0, 100))}`);
  }

  const sniffed = sniffLogo(bytes);
  if (!sniffed) throw new LogoUnsupportedTypeError('the content is neither');
  if (declared !== undefined && declared !== sniffed.mediaType) {
    throw new LogoInvalidError(declared, `the content is ${sniffed.mediaType}`);
  }

  if (sniffed.mediaType === 'image/png') {
    assertWellFormedPng(bytes);
    return { mediaType: 'image/png', bytes };
  }
  return { mediaType: 'image/svg+xml', bytes: sanitiseSvg(sniffed.text) };
}

type Sniffed = { mediaType: 'image/png' } | { mediaType: 'image/svg+xml'; text: string };

function sniffLogo(bytes: Buffer): Sniffed | null {
  if (hasPngSignature(bytes)) return { mediaType: 'image/png' };
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
  return xmlRootElementName(text) === 'svg' ? { mediaType: 'image/svg+xml', text } : null;
}

// `image/SVG+xml; charset=utf-8` names the same type as `image/svg+xml`. application/octet-stream is what clients
// send when they do not know the type, so it declares nothing.
function declaredType(mediaType: string | undefined): string | undefined {
  if (mediaType === undefined) return undefined;
  const essence = (mediaType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return essence === 'application/octet-stream' ? undefined : essence;
}
