import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LOGO_BYTES, validateLogo } from '../src/branding/index.ts';

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg"';
const XLINK_NS = 'xmlns:xlink="http://www.w3.org/1999/xlink"';

function svg(inner: string, attributes = ''): string {
  return `<svg ${SVG_NS}${attributes ? ` ${attributes}` : ''}>${inner}</svg>`;
}

/** The stored bytes for an SVG upload, as text. */
function sanitised(text: string, declaredMediaType?: string): string {
  const logo = validateLogo(Buffer.from(text, 'utf8'), declaredMediaType);
  assert.equal(logo.mediaType, 'image/svg+xml');
  return logo.bytes.toString('utf8');
}

function rejectsWith(code: string, reason?: RegExp) {
  return (error: unknown) => {
    assert.equal((error as { code?: string }).code, code);
    assert.equal((error as { statusCode?: number }).statusCode, 422);
    if (reason) assert.match((error as Error).message, reason);
    return true;
  };
}

test('accepts a plain SVG and returns it as serialised XML', () => {
  assert.equal(
    sanitised(svg('<rect width="10" height="10" fill="#1f4e79"/>', 'viewBox="0 0 10 10"'), 'image/svg+xml'),
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#1f4e79"/></svg>',
  );
});

test('accepts a BOM, an XML declaration and comments before the root, and drops them', () => {
  const text = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- Generator: Adobe Illustrator -->\n${svg('<circle r="1"/>')}`;
  assert.equal(sanitised(text), '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>');
});

test('keeps what a typical editor export needs: classes, a <style> sheet, ids, titles and xml:space', () => {
  const text = `<svg version="1.1" id="Layer_1" ${SVG_NS} ${XLINK_NS} viewBox="0 0 100 100" xml:space="preserve"><style type="text/css">.st0{fill:#1F4E79;}</style><title>Acme</title><g data-name="Layer 2"><path class="st0" d="M0,0h100v100H0V0z"/></g></svg>`;
  assert.equal(
    sanitised(text),
    `<svg version="1.1" id="Layer_1" ${SVG_NS} ${XLINK_NS} viewBox="0 0 100 100" xml:space="preserve"><style type="text/css">.st0{fill:#1F4E79;}</style><title>Acme</title><g data-name="Layer 2"><path class="st0" d="M0,0h100v100H0V0z"/></g></svg>`,
  );
});

test('removes <script> elements and their content', () => {
  assert.equal(
    sanitised(svg('<script>alert(document.cookie)</script><script href="https://evil.example/x.js"/><rect width="1"/>')),
    '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>',
  );
});

test('removes event-handler attributes wherever they appear', () => {
  assert.equal(
    sanitised(svg('<g onclick="alert(1)"><rect onmouseover="alert(2)" ONCLICK="alert(3)" width="1"/></g>', 'onload="alert(0)"')),
    '<svg xmlns="http://www.w3.org/2000/svg"><g><rect width="1"/></g></svg>',
  );
});

test('removes <foreignObject> and the HTML inside it', () => {
  const text = svg(
    '<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example/"/>hi</div></foreignObject><g/>',
  );
  assert.equal(sanitised(text), '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>');
});

test('removes external and data: references from href and xlink:href', () => {
  const text = svg(
    [
      '<use xlink:href="http://evil.example/sprite.svg#a"/>',
      '<use href="https://evil.example/sprite.svg#a"/>',
      '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
      '<image xlink:href="data:image/svg+xml;base64,PHN2Zy8+"/>',
      '<image href="//evil.example/track.png"/>',
      '<image href="logo.png"/>',
      '<a href="javascript:alert(1)"><text>x</text></a>',
      '<filter id="f"><feImage href="https://evil.example/x.png"/></filter>',
    ].join(''),
    XLINK_NS,
  );
  const out = sanitised(text);
  assert.equal(
    out,
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use/><use/><image width="1" height="1"/><image/><image/><image/><a><text>x</text></a><filter id="f"><feImage/></filter></svg>',
  );
  assert.doesNotMatch(out, /evil|data:|javascript:|logo\.png/);
});

test('keeps same-document references: <use href="#a">, xlink:href, textPath and feImage', () => {
  const text = svg(
    '<defs><path id="a" d="M0 0h1"/></defs><use href="#a"/><use xlink:href="#a"/><text><textPath href="#a">hi</textPath></text><filter id="f"><feImage href="#a"/></filter>',
    XLINK_NS,
  );
  assert.equal(
    sanitised(text),
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><path id="a" d="M0 0h1"/></defs><use href="#a"/><use xlink:href="#a"/><text><textPath href="#a">hi</textPath></text><filter id="f"><feImage href="#a"/></filter></svg>',
  );
});

test('keeps url(#id) paint and filter references but drops CSS that would fetch', () => {
  const text = svg(
    [
      '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>',
      '<style>.a{fill:url(#g)}</style>',
      '<style>@import "https://evil.example/x.css";</style>',
      '<style>.b{background:u\\72l(https://evil.example/x)}</style>',
      '<rect class="a" fill="url(#g)" width="1"/>',
      '<rect fill="url(https://evil.example/p.svg#g)" width="2"/>',
      `<rect style="fill:url('#g')" width="3"/>`,
      '<rect style="background-image:url(//evil.example/x)" width="4"/>',
      '<rect mask="image-set(&quot;https://evil.example/m.png&quot; 1x)" width="5"/>',
    ].join(''),
  );
  assert.equal(
    sanitised(text),
    `<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><style>.a{fill:url(#g)}</style><rect class="a" fill="url(#g)" width="1"/><rect width="2"/><rect style="fill:url('#g')" width="3"/><rect width="4"/><rect width="5"/></svg>`,
  );
});

test('removes animation elements that could rewrite an href', () => {
  const text = svg(
    '<a><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',
  );
  assert.equal(sanitised(text), '<svg xmlns="http://www.w3.org/2000/svg"><a><text>x</text></a></svg>');
});

test('keeps CDATA style sheets as text, and markup hidden in CDATA stays inert text', () => {
  const text = svg('<style><![CDATA[.a{fill:red} g>rect{}]]></style><desc><![CDATA[</desc><script>alert(1)</script>]]></desc>');
  assert.equal(
    sanitised(text),
    '<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:red} g&gt;rect{}</style><desc>&lt;/desc&gt;&lt;script&gt;alert(1)&lt;/script&gt;</desc></svg>',
  );
});

test('writes well-formed XML: character references stay characters and prefixes stay declared', () => {
  const out = sanitised(svg('<text>&#160;Acme &amp; Co</text><use xlink:href="#t"/>', XLINK_NS));
  assert.equal(
    out,
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><text>\u00a0Acme &amp; Co</text><use xlink:href="#t"/></svg>',
  );
  assert.doesNotMatch(out, /&nbsp;/);
});

test('drops elements and attributes from editor namespaces', () => {
  const text = `<svg ${SVG_NS} xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10mm"><sodipodi:namedview id="nv"/><g inkscape:label="Layer 1" id="layer1"><rect style="fill:#ff0000" width="5"/></g></svg>`;
  assert.equal(
    sanitised(text),
    '<svg xmlns="http://www.w3.org/2000/svg" width="10mm"><g id="layer1"><rect style="fill:#ff0000" width="5"/></g></svg>',
  );
});

test('rejects a DOCTYPE with ENTITY declarations (XXE, billion laughs) before parsing', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${svg('<text>&lol2;</text>')}`;
  assert.throws(() => validateLogo(Buffer.from(laughs)), rejectsWith('TEN_ERR_LOGO_INVALID', /DOCTYPE and ENTITY/));
  const xxe = `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${svg('<text>&xxe;</text>')}`;
  assert.throws(() => validateLogo(Buffer.from(xxe)), rejectsWith('TEN_ERR_LOGO_INVALID', /DOCTYPE and ENTITY/));
  const bareDoctype = `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${svg('')}`;
  assert.throws(() => validateLogo(Buffer.from(bareDoctype)), rejectsWith('TEN_ERR_LOGO_INVALID', /DOCTYPE and ENTITY/));
});

test('rejects processing instructions such as xml-stylesheet', () => {
  const text = `<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?>${svg('')}`;
  assert.throws(() => validateLogo(Buffer.from(text)), rejectsWith('TEN_ERR_LOGO_INVALID', /processing instructions/));
});

test('rejects an HTML document, even one wrapping an SVG, as an unsupported type', () => {
  const withDoctype = `<!DOCTYPE html><html><body>${svg('<rect/>')}</body></html>`;
  const withoutDoctype = `<html><body>${svg('<rect/>')}<script>alert(1)</script></body></html>`;
  assert.throws(() => validateLogo(Buffer.from(withDoctype)), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE'));
  assert.throws(() => validateLogo(Buffer.from(withoutDoctype), 'image/svg+xml'), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE'));
});

test('rejects an SVG declared as PNG', () => {
  assert.throws(
    () => validateLogo(Buffer.from(svg('<rect/>')), 'image/png'),
    rejectsWith('TEN_ERR_LOGO_INVALID', /content is image\/svg\+xml/),
  );
});

test('rejects SVG text that is not well-formed XML, has content after the root, or lacks the SVG namespace', () => {
  assert.throws(() => validateLogo(Buffer.from(svg('<g>'))), rejectsWith('TEN_ERR_LOGO_INVALID', /not well-formed XML/));
  assert.throws(
    () => validateLogo(Buffer.from(`${svg('')}<script>alert(1)</script>`)),
    rejectsWith('TEN_ERR_LOGO_INVALID', /not well-formed XML/),
  );
  // Browsers render an image/svg+xml document only when its root is in the SVG namespace.
  assert.throws(() => validateLogo(Buffer.from('<svg><rect/></svg>')), rejectsWith('TEN_ERR_LOGO_INVALID', /SVG namespace/));
});

test('rejects text that is not UTF-8 as an unsupported type', () => {
  const latin1 = Buffer.from(svg('<text>caf\u00e9</text>'), 'latin1');
  assert.throws(() => validateLogo(latin1), rejectsWith('TEN_ERR_LOGO_UNSUPPORTED_TYPE'));
});

test('rejects SVGs too complex to sanitise quickly: over 10,000 tags or attributes', () => {
  assert.equal(sanitised(svg('<g/>'.repeat(9_998))), svg('<g/>'.repeat(9_998)));
  assert.throws(() => validateLogo(Buffer.from(svg('<g/>'.repeat(10_000)))), rejectsWith('TEN_ERR_LOGO_INVALID', /more than 10000 tags/));
  const attributes = Array.from({ length: 10_000 }, (_, i) => `a${i}="1"`).join(' ');
  assert.throws(
    () => validateLogo(Buffer.from(svg(`<rect ${attributes}/>`))),
    rejectsWith('TEN_ERR_LOGO_INVALID', /more than 10000 attributes/),
  );
});

test('rejects elements nested deeper than 256 levels', () => {
  // The root is level 1, so 255 nested groups reach exactly 256.
  const deepest = svg(`${'<g>'.repeat(255)}${'</g>'.repeat(255)}`);
  assert.equal(sanitised(deepest), svg(`${'<g>'.repeat(254)}<g/>${'</g>'.repeat(254)}`));
  const deep = svg(`${'<g>'.repeat(300)}${'</g>'.repeat(300)}`);
  assert.throws(() => validateLogo(Buffer.from(deep)), rejectsWith('TEN_ERR_LOGO_INVALID', /deeper than 256/));
});

test('accepts a large SVG just under the size limit and keeps every path', () => {
  // Traced artwork: long path data, few attributes.
  const path = (i: number) =>
    `<path d="M${i % 100} ${i % 97}c1.5 2.25 3.75 4.5 6 6.75s4.5-2.25 6.75-4.5l1.25 3.5h10v10h-10q-2.5-1.25-5-2.5z" fill="#${(i % 4096).toString(16).padStart(3, '0')}"/>`;
  const frame = svg('', 'viewBox="0 0 110 110"');
  const paths: string[] = [];
  for (let size = frame.length, i = 0; size + path(i).length <= MAX_LOGO_BYTES; size += path(i).length, i++) paths.push(path(i));
  const text = svg(paths.join(''), 'viewBox="0 0 110 110"');
  assert.ok(Buffer.byteLength(text) > MAX_LOGO_BYTES - 200 && Buffer.byteLength(text) <= MAX_LOGO_BYTES);
  const out = sanitised(text);
  assert.equal(out, text);
  assert.equal(out.match(/<path /g)?.length, paths.length);
});
