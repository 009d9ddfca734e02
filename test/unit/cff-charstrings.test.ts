import * as fontkit from 'fontkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentAssets } from '../../server/lib/document-assets.ts';
import { inlinedCharString, subrBias, type CharStringSource } from '../../server/lib/pdf/cff-charstrings.ts';
import { sampleRequests } from '../helpers/documents.ts';

// The subsets embedded in documents carry charstrings with their subroutines inlined: each must
// draw exactly the outline fontkit draws from the font's own charstring and subroutines.

interface IndexEntry {
  offset: number;
  length: number;
}
interface Cff {
  stream: { buffer: Uint8Array; constructor: new (buffer: Uint8Array) => unknown };
  globalSubrIndex: IndexEntry[];
  topDict: { CharStrings: IndexEntry[] };
  privateDictForGlyph(gid: number): { Subrs?: IndexEntry[] | null } | null;
}
type Font = fontkit.Font & { 'CFF ': Cff; getGlyph(gid: number): fontkit.Glyph };

const faces: [string, Font][] = [];

beforeAll(async () => {
  const { fonts } = await loadDocumentAssets();
  for (const [name, bytes] of Object.entries(fonts)) faces.push([name, fontkit.create(Buffer.from(bytes)) as Font]);
});

function source(cff: Cff): CharStringSource {
  const bytes = (entries: IndexEntry[] | null | undefined) => (entries ?? []).map(({ offset, length }) => cff.stream.buffer.subarray(offset, offset + length));
  return {
    charString: (gid) => bytes([cff.topDict.CharStrings[gid]!])[0]!,
    globalSubrs: bytes(cff.globalSubrIndex),
    localSubrs: (gid) => bytes(cff.privateDictForGlyph(gid)?.Subrs),
  };
}

type DrawnGlyph = fontkit.Glyph & { _usedSubrs: Record<number, true>; _usedGsubrs: Record<number, true> };

/** each glyph of `codes` drawn by fontkit from its code in place of its charstring, the subroutines at hand */
function drawn(font: Font, codes: Map<number, Uint8Array>): Map<number, DrawnGlyph> {
  const cff = font['CFF '];
  const replaced = Object.create(cff) as Cff;
  const charStrings: Record<number, IndexEntry> = {};
  let offset = cff.stream.buffer.length;
  for (const [gid, code] of codes) {
    charStrings[gid] = { offset, length: code.length };
    offset += code.length;
  }
  const stream = new cff.stream.constructor(Buffer.concat([cff.stream.buffer, ...codes.values()]));
  Object.assign(replaced, { stream, topDict: { ...cff.topDict, CharStrings: charStrings } });
  const withReplaced = Object.create(font) as Font;
  Object.defineProperty(withReplaced, 'CFF ', { value: replaced });
  const Glyph = font.getGlyph(0).constructor as new (id: number, codePoints: number[], font: Font) => DrawnGlyph;
  return new Map([...codes.keys()].map((gid) => [gid, new Glyph(gid, [], withReplaced)]));
}

const CALLGSUBR = 29;

describe('inlined charstrings', () => {
  it('draw the outline of the font without calling a subroutine, for the sample documents and a spread of glyphs', () => {
    const text = JSON.stringify(sampleRequests());
    for (const [name, font] of faces) {
      const glyphs = new Set([...text].map((char) => font.glyphForCodePoint(char.codePointAt(0)!).id));
      for (let gid = 0; gid < font.numGlyphs; gid += 97) glyphs.add(gid);
      const from = source(font['CFF ']);
      const glyphsDrawn = drawn(font, new Map([...glyphs].map((gid) => [gid, inlinedCharString(from, gid)])));
      let callingSubrs = 0;
      for (const [gid, glyph] of glyphsDrawn) {
        const original = font.getGlyph(gid) as DrawnGlyph;
        expect(glyph.path.toSVG(), `${name} glyph ${gid}`).toBe(original.path.toSVG());
        // drawing records the subroutines called
        expect([...Object.keys(glyph._usedSubrs), ...Object.keys(glyph._usedGsubrs)], `${name} glyph ${gid}`).toEqual([]);
        if (Object.keys(original._usedSubrs).length + Object.keys(original._usedGsubrs).length > 0) callingSubrs++;
      }
      expect(glyphs.size).toBeGreaterThan(900);
      expect(callingSubrs).toBeGreaterThan(glyphs.size / 2);
    }
  });

  it('refuse a call to a subroutine the font does not have', () => {
    const broken: CharStringSource = {
      charString: () => Uint8Array.of(139 + 5, CALLGSUBR, 14),
      globalSubrs: [],
      localSubrs: () => [],
    };
    expect(() => inlinedCharString(broken, 1)).toThrow(/no subroutine 5/);
  });
});

describe('subroutine bias', () => {
  it.each([
    [0, 107],
    [1239, 107],
    [1240, 1131],
    [33899, 1131],
    [33900, 32768],
  ])('%i subroutines are numbered from -%i', (count, bias) => {
    expect(subrBias(new Array(count))).toBe(bias);
  });
});
