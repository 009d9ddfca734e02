import type * as fontkit from 'fontkit';
import { inlinedCharString, type CharStringSource } from './cff-charstrings.ts';

// fontkit's CFF subsetter (fontkit 2.0) made to write glyphs whose subroutine calls are inlined
// (cff-charstrings.ts) and no subroutines. It keeps fontkit's encoder and replaces the three
// steps that collect subroutines: the charstrings, the font dicts of a CID-keyed font (fontkit
// draws every glyph there only to learn which subroutines it calls) and the subroutine lists.
// The names below are fontkit's internals, absent from its type declarations.

interface IndexEntry {
  offset: number;
  length: number;
}

interface PrivateDict {
  Subrs?: IndexEntry[] | null;
  [entry: string]: unknown;
}

interface FontDict {
  FontName?: unknown;
  Private?: PrivateDict | null;
  [entry: string]: unknown;
}

interface CffTable {
  stream: { buffer: Uint8Array };
  globalSubrIndex?: IndexEntry[];
  topDict: { CharStrings: IndexEntry[]; FDArray?: FontDict[] };
  fdForGlyph(gid: number): number | null;
  privateDictForGlyph(gid: number): PrivateDict | null;
}

interface CffSubset {
  cff: CffTable;
  glyphs: number[];
  charstrings: Uint8Array[];
  gsubrs: Uint8Array[];
  subsetCharstrings(): void;
  subsetFontdict(topDict: { FDArray?: FontDict[]; FDSelect?: unknown }): void;
  subsetSubrs(subrs: unknown, used: unknown): Uint8Array[];
}

/** The inlined charstring of each glyph of a font, made on its first subset and kept. */
const inlined = new WeakMap<fontkit.Font, (gid: number) => Uint8Array>();

function inlinedCharStrings(font: fontkit.Font, cff: CffTable): (gid: number) => Uint8Array {
  const known = inlined.get(font);
  if (known) return known;
  // a font dict without local subroutines has Subrs null
  const bytes = (entries: IndexEntry[] | null | undefined) =>
    (entries ?? []).map(({ offset, length }) => cff.stream.buffer.subarray(offset, offset + length));
  const localSubrs = new Map<IndexEntry[] | null | undefined, Uint8Array[]>();
  const source: CharStringSource = {
    charString: (gid) => bytes([cff.topDict.CharStrings[gid]!])[0]!,
    globalSubrs: bytes(cff.globalSubrIndex),
    localSubrs(gid) {
      const entries = cff.privateDictForGlyph(gid)?.Subrs;
      let subrs = localSubrs.get(entries);
      if (!subrs) localSubrs.set(entries, (subrs = bytes(entries)));
      return subrs;
    },
  };
  const charStrings = new Map<number, Uint8Array>();
  const charString = (gid: number) => {
    let code = charStrings.get(gid);
    if (!code) charStrings.set(gid, (code = inlinedCharString(source, gid)));
    return code;
  };
  inlined.set(font, charString);
  return charString;
}

/** Makes `fontkitSubset`, a subset fontkit made of `font`'s CFF outlines, write no subroutines. */
export function withoutSubroutines(font: fontkit.Font, fontkitSubset: unknown): void {
  const subset = fontkitSubset as CffSubset;
  const { cff } = subset;
  const charString = inlinedCharStrings(font, cff);
  subset.subsetCharstrings = () => {
    subset.charstrings = subset.glyphs.map(charString);
    subset.gsubrs = [];
  };
  // as fontkit does, the font dicts of the glyphs used, in order of first use, minus their
  // names and their local subroutines
  subset.subsetFontdict = (topDict) => {
    const fontDicts: FontDict[] = [];
    const fds: number[] = [];
    const indexOf = new Map<number, number>();
    for (const gid of subset.glyphs) {
      const fd = cff.fdForGlyph(gid);
      if (fd == null) continue;
      let index = indexOf.get(fd);
      if (index === undefined) {
        const { FontName: _name, Private, ...dict } = cff.topDict.FDArray![fd]!;
        const { Subrs: _subrs, ...privateDict } = Private ?? {};
        indexOf.set(fd, (index = fontDicts.push(Private ? { ...dict, Private: privateDict } : dict) - 1));
      }
      fds.push(index);
    }
    topDict.FDArray = fontDicts;
    topDict.FDSelect = { version: 0, fds };
  };
  // a font that is not CID-keyed gets one font dict made from its private dict
  subset.subsetSubrs = () => [];
}
