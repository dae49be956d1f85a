import { createRequire } from 'node:module';
import type { Config, DOMPurify } from 'dompurify';
import type { DOMWindow } from 'jsdom';
import { LogoInvalidError } from './errors.ts';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
const MAX_NESTING_DEPTH = 256;
// Parsing and sanitising are synchronous and jsdom adds attributes in quadratic time: these bound one upload to well
// under a second of CPU. Counting '<' and '=' over-counts elements and attributes, never under-counts.
const MAX_MARKUP_TAGS = 10_000;
const MAX_ATTRIBUTES = 10_000;
const CDATA_SECTION_FILTER = 0x8; // NodeFilter.SHOW_CDATA_SECTION

// Same-document references only: `#id`. Anything else (http:, data:, relative paths) could make a viewer fetch.
const SAME_DOCUMENT_FRAGMENT = /^#[A-Za-z_][\w.:-]*$/;
const FRAGMENT_URL_FUNCTION = /url\(\s*(['"]?)#[A-Za-z_][\w.:-]*\1\s*\)/gi;
// Backslashes are refused too: CSS escapes (`u\72l(`) would smuggle a function name past the match.
const FETCHING_CSS = /\\|@import|(?:url|src|image|image-set|cross-fade|element)\s*\(/i;
const UNSAFE_DECLARATIONS = /<!DOCTYPE|<!ENTITY/i;
const PROCESSING_INSTRUCTION = /<\?(?!xml\s)/;
const PROLOG_ITEM = /\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/y;
const ROOT_NAME = /<!DOCTYPE\s+([^\s>[]+)|<([^\s/>!?]+)/iy;

const SANITISE_CONFIG: Config & { RETURN_DOM_FRAGMENT: true } = {
  USE_PROFILES: { svg: true, svgFilters: true },
  // DOMPurify leaves <use> out of its SVG profile because it can pull in external documents; the
  // attribute hook below confines every href to `#id`, which makes it safe to keep.
  ADD_TAGS: ['use'],
  FORBID_TAGS: ['script', 'foreignObject'],
  RETURN_DOM_FRAGMENT: true,
};

interface Sanitiser {
  window: DOMWindow;
  purify: DOMPurify;
}

let sanitiser: Sanitiser | undefined;

/**
 * The element name an XML document's root would have, looking past a BOM, whitespace, processing instructions (the
 * XML declaration among them), comments and a DOCTYPE (whose name is the root's). Null when the text is not XML-like.
 */
export function xmlRootElementName(text: string): string | null {
  let position = text.startsWith('\uFEFF') ? 1 : 0;
  for (;;) {
    PROLOG_ITEM.lastIndex = position;
    const item = PROLOG_ITEM.exec(text);
    if (!item) break;
    position = PROLOG_ITEM.lastIndex;
  }
  ROOT_NAME.lastIndex = position;
  const root = ROOT_NAME.exec(text);
  return root ? (root[1] ?? root[2] ?? null) : null;
}

/**
 * Parses `text` as a standalone SVG document and returns it re-serialised after sanitising: no scripts, no event
 * handlers, no foreignObject, and no reference to anything outside the document itself.
 */
export function sanitiseSvg(text: string): Buffer {
  if (UNSAFE_DECLARATIONS.test(text)) throw invalidSvg('DOCTYPE and ENTITY declarations are not allowed');
  if (PROCESSING_INSTRUCTION.test(text)) throw invalidSvg('processing instructions are not allowed');
  if (countOf(text, '<') > MAX_MARKUP_TAGS) throw invalidSvg(`it has more than ${MAX_MARKUP_TAGS} tags`);
  if (countOf(text, '=') > MAX_ATTRIBUTES) throw invalidSvg(`it has more than ${MAX_ATTRIBUTES} attributes`);

  const { window, purify } = loadSanitiser();
  // Parse as XML, the way a browser reads an image/svg+xml response, so the sanitiser sees the same tree a viewer will.
  const parsed = new window.DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.localName !== 'svg' || root.namespaceURI !== SVG_NAMESPACE) {
    throw invalidSvg(
      root.localName === 'parsererror'
        ? `not well-formed XML (${root.textContent?.trim()})`
        : 'the root element must be <svg> in the SVG namespace',
    );
  }
  if (nestingDepth(root) > MAX_NESTING_DEPTH) throw invalidSvg(`elements nest deeper than ${MAX_NESTING_DEPTH}`);
  replaceCdataWithText(parsed);

  const sanitised = purify.sanitize(root, SANITISE_CONFIG);
  const [svg, ...rest] = Array.from(sanitised.children);
  if (!svg || rest.length > 0 || svg.localName !== 'svg' || svg.namespaceURI !== SVG_NAMESPACE) {
    throw invalidSvg('nothing of the <svg> root survives sanitising');
  }
  for (const style of Array.from(svg.getElementsByTagNameNS(SVG_NAMESPACE, 'style'))) {
    if (FETCHING_CSS.test(withoutFragmentUrls(style.textContent ?? ''))) style.remove();
  }

  // XML serialisation, not DOMPurify's innerHTML: HTML serialisation writes `&nbsp;` and drops namespace
  // declarations, which turns a valid SVG into one a browser refuses to render as an image.
  const serialised = new window.XMLSerializer().serializeToString(svg);
  const reparsed = new window.DOMParser().parseFromString(serialised, 'image/svg+xml').documentElement;
  if (reparsed.localName !== 'svg' || reparsed.namespaceURI !== SVG_NAMESPACE) {
    throw invalidSvg('the sanitised document does not parse back as SVG');
  }
  return Buffer.from(serialised, 'utf8');
}

// jsdom costs ~300 ms and tens of MB to load; only processes that actually receive a logo upload pay for it.
function loadSanitiser(): Sanitiser {
  if (sanitiser) return sanitiser;
  const require = createRequire(import.meta.url);
  const { JSDOM } = require('jsdom') as typeof import('jsdom');
  const createDOMPurify = require('dompurify') as DOMPurify;
  // No url, no scripts, no resource loader: this window can never fetch or execute anything.
  const { window } = new JSDOM('');
  const purify = createDOMPurify(window as unknown as Parameters<DOMPurify>[0]);
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName;
    if (name.startsWith('on')) {
      data.keepAttr = false;
    } else if (name === 'href' || name.endsWith(':href')) {
      data.keepAttr = SAME_DOCUMENT_FRAGMENT.test(data.attrValue);
    } else if (FETCHING_CSS.test(withoutFragmentUrls(data.attrValue))) {
      // style="…", fill="url(…)", filter, mask, clip-path, marker-*: all may name a resource by URL.
      data.keepAttr = false;
    }
  });
  sanitiser = { window, purify };
  return sanitiser;
}

function withoutFragmentUrls(css: string): string {
  return css.replace(FRAGMENT_URL_FUNCTION, '');
}

// DOMPurify drops CDATA sections whole, which would empty the <style><![CDATA[…]]></style> that many editors write.
// In XML a CDATA section is exactly its text, so turning it into a text node changes nothing a viewer sees.
function replaceCdataWithText(document: Document): void {
  const walker = document.createTreeWalker(document, CDATA_SECTION_FILTER);
  const sections: CDATASection[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) sections.push(node as CDATASection);
  for (const section of sections) section.replaceWith(document.createTextNode(section.data));
}

function nestingDepth(root: Element): number {
  let deepest = 0;
  const stack: [Element, number][] = [[root, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [element, depth] = entry;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_NESTING_DEPTH) break;
    for (const child of Array.from(element.children)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function countOf(text: string, char: string): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++;
  return count;
}

function invalidSvg(reason: string) {
  return new LogoInvalidError('SVG image', reason);
}
