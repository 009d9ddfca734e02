import { Readable } from 'node:stream';
import * as fontkit from 'fontkit';
import type { PDFDocument } from 'pdf-lib';
import { withoutSubroutines } from './cff-subset.ts';

// pdf-lib's `registerFontkit` expects the API of its own fork, @pdf-lib/fontkit 1.x, whose CFF
// subsetter writes broken subsets of CID-keyed CJK fonts (they render blank; pdf-lib issue
// #1232). Upstream fontkit 2.x subsets them correctly but differs in two places this adapter
// bridges: a subset has `encode()` instead of `encodeStream()`, and `create` also returns font
// collections.
//
// Two deliberate departures from plain delegation:
// - `layout` maps characters to glyphs through the cmap without OpenType shaping. Shaping a
//   Source Han Sans line costs about 1 ms, and pdf-lib shapes on every width measurement and
//   every drawn line; Chinese and Latin text in these documents needs no ligatures or contextual
//   forms, so the nominal glyphs are the right ones. Each glyph it returns carries the code point
//   it was drawn for: fontkit caches glyph objects per font with the code points of their first
//   lookup (or none), and pdf-lib writes the ToUnicode map, which makes text extractable, from
//   them.
// - Parsed fonts are cached per byte array: the OTF files are 17 MB and every document embeds
//   them afresh. After parsing, fontkit only fills its own caches; each embedding makes its own
//   subset.
// - A subset of a CFF font holds its glyphs with their subroutine calls inlined and no
//   subroutines (cff-subset.ts): 40 KB for the regular face of an award notice, made in about
//   a millisecond, where fontkit's subsetter takes 25 ms to write 90 KB, most of it a slot for
//   every subroutine of the font.

const parsed = new WeakMap<Uint8Array, fontkit.Font>();

function parse(bytes: Uint8Array): fontkit.Font {
  const cached = parsed.get(bytes);
  if (cached) return cached;
  const font = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if ('fonts' in font) {
    throw new Error('a font collection (.ttc) cannot be embedded as is: pass the bytes of a single face');
  }
  parsed.set(bytes, font);
  return font;
}

type NominalGlyph = { id: number; advanceWidth: number; codePoints: number[] };

// fontkit's cmap lookup walks lazily decoded tables on every call: line breaking measures each
// character many times, so the glyph of each code point is looked up once per font.
const nominal = new WeakMap<fontkit.Font, Map<number, NominalGlyph>>();

function nominalGlyphs(font: fontkit.Font, text: string): NominalGlyph[] {
  let known = nominal.get(font);
  if (!known) nominal.set(font, (known = new Map()));
  return Array.from(text, (char) => {
    const codePoint = char.codePointAt(0)!;
    let glyph = known.get(codePoint);
    if (!glyph) {
      const { id, advanceWidth } = font.glyphForCodePoint(codePoint);
      glyph = { id, advanceWidth, codePoints: [codePoint] };
      known.set(codePoint, glyph);
    }
    return glyph;
  });
}

function pdfLibSubset(font: fontkit.Font) {
  const subset = font.createSubset() as fontkit.Subset & { cff?: unknown };
  if (subset.cff) withoutSubroutines(font, subset);
  return {
    // pdf-lib reads `cff` to choose CIDFontType0 (CFF outlines) over CIDFontType2 (TrueType)
    cff: subset.cff,
    includeGlyph: (glyph: { id: number }) => subset.includeGlyph(glyph as fontkit.Glyph) as unknown as number,
    encodeStream: () => Readable.from([subset.encode()]),
  };
}

function pdfLibFont(font: fontkit.Font): fontkit.Font {
  return new Proxy(font, {
    get(target, property) {
      if (property === 'layout') return (text: string) => ({ glyphs: nominalGlyphs(target, text) });
      if (property === 'createSubset') return () => pdfLibSubset(target);
      return Reflect.get(target, property, target);
    },
  });
}

/** Pass to `PDFDocument.registerFontkit`. */
export const fontkitForPdfLib = {
  create: (bytes: Uint8Array) => pdfLibFont(parse(bytes)),
} as unknown as Parameters<PDFDocument['registerFontkit']>[0];

/** The characters of `text` that `fontBytes` has no glyph for (drawn, they would vanish). */
export function missingGlyphs(fontBytes: Uint8Array, text: string): string[] {
  const font = parse(fontBytes);
  const missing = new Set<string>();
  nominalGlyphs(font, text).forEach((glyph) => {
    // glyph 0 is .notdef, what the cmap gives for a character the font lacks
    if (glyph.id === 0 && glyph.codePoints[0]! >= 0x20) missing.add(String.fromCodePoint(glyph.codePoints[0]!));
  });
  return [...missing];
}

export function postscriptName(fontBytes: Uint8Array): string {
  return parse(fontBytes).postscriptName;
}
