// Type 2 charstrings with their subroutine calls inlined (Adobe TN #5177), for CFF subsets.
//
// Source Han Sans shares outline pieces between its 65,535 glyphs through 1,184 global and about
// 42,000 local subroutines. fontkit's subsetter keeps every subroutine slot so that the calls
// keep their numbers (the unused ones reduced to a `return`): each subset of a few dozen glyphs
// then encodes some 40,000 index entries (25 ms per face and document) and comes out at 90 KB
// that pdf-lib compresses again. A glyph whose calls are inlined needs no subroutine at all, so
// its subset holds only its own glyphs.
//
// Inlining keeps every operand and operator in the order the interpreter meets them, minus the
// subroutine numbers, the call operators and the `return`s, so the stack is the same at every
// operator and the outline is the same. Only the hint masks need the interpreter's state: the
// number of bytes after `hintmask`/`cntrmask` follows from the stems declared so far, maybe
// in another subroutine.

export interface CharStringSource {
  /** the bytes of glyph `gid`'s charstring */
  charString(gid: number): Uint8Array;
  globalSubrs: readonly Uint8Array[];
  /** the local subroutines of the font dict glyph `gid` belongs to */
  localSubrs(gid: number): readonly Uint8Array[];
}

/** The number added to a subroutine operand to index `subrs` (Type 2 charstring format, §4.7). */
export function subrBias(subrs: readonly unknown[]): number {
  if (subrs.length < 1240) return 107;
  if (subrs.length < 33900) return 1131;
  return 32768;
}

const CALLSUBR = 10;
const RETURN = 11;
const ESCAPE = 12;
const ENDCHAR = 14;
const HINTMASK = 19;
const CNTRMASK = 20;
const SHORTINT = 28;
const CALLGSUBR = 29;
const STEM_OPERATORS = new Set([1, 3, 18, 23]); // hstem vstem hstemhm vstemhm
// the escaped operators that only draw (hflex flex hflex1 flex1); the arithmetic and storage
// ones could compute a subroutine number, which inlining cannot follow
const ESCAPED_DRAWING = new Set([34, 35, 36, 37]);
/** nesting limit of subroutine calls (Type 2 charstring format, appendix B) */
const MAX_CALL_DEPTH = 10;

/** Glyph `gid`'s charstring with every subroutine call replaced by the subroutine's body. */
export function inlinedCharString(source: CharStringSource, gid: number): Uint8Array {
  const globalSubrs = source.globalSubrs;
  const localSubrs = source.localSubrs(gid);
  const globalBias = subrBias(globalSubrs);
  const localBias = subrBias(localSubrs);
  const out: number[] = [];
  // start in `out` and value of each operand on the stack since the last operator
  const operands: { at: number; value: number }[] = [];
  let stems = 0;
  let ended = false;

  const countStems = () => {
    stems += operands.length >> 1; // an odd operand is the glyph's width
    operands.length = 0;
  };

  const run = (code: Uint8Array, depth: number): void => {
    if (depth > MAX_CALL_DEPTH) throw new Error(`charstring of glyph ${gid}: subroutines nested deeper than ${MAX_CALL_DEPTH}`);
    let i = 0;
    while (i < code.length && !ended) {
      const byte = code[i]!;
      if (byte >= 32 || byte === SHORTINT) {
        const length = byte === SHORTINT ? 3 : byte <= 246 ? 1 : byte <= 254 ? 2 : 5;
        operands.push({ at: out.length, value: operandValue(code, i) });
        for (let k = 0; k < length; k++) out.push(code[i + k]!);
        i += length;
        continue;
      }
      i++;
      if (byte === CALLSUBR || byte === CALLGSUBR) {
        const number = operands.pop();
        if (!number) throw new Error(`charstring of glyph ${gid}: a subroutine call without its number`);
        out.length = number.at;
        const subrs = byte === CALLSUBR ? localSubrs : globalSubrs;
        const subr = subrs[number.value + (byte === CALLSUBR ? localBias : globalBias)];
        if (!subr) throw new Error(`charstring of glyph ${gid}: no subroutine ${number.value}`);
        run(subr, depth + 1);
        continue;
      }
      if (byte === RETURN) return;
      out.push(byte);
      if (byte === ESCAPE) {
        const escaped = code[i++]!;
        if (!ESCAPED_DRAWING.has(escaped)) throw new Error(`charstring of glyph ${gid}: unsupported operator 12 ${escaped}`);
        out.push(escaped);
        operands.length = 0;
      } else if (byte === HINTMASK || byte === CNTRMASK) {
        countStems(); // operands before the first mask are an implied vstem
        const maskBytes = (stems + 7) >> 3;
        for (let k = 0; k < maskBytes; k++) out.push(code[i + k]!);
        i += maskBytes;
      } else if (STEM_OPERATORS.has(byte)) {
        countStems();
      } else {
        operands.length = 0;
        if (byte === ENDCHAR) ended = true;
      }
    }
  };
  run(source.charString(gid), 0);
  return Uint8Array.from(out);
}

/** The integer an operand encodes (§3.2); a 16.16 fixed-point operand is never a subroutine number. */
function operandValue(code: Uint8Array, i: number): number {
  const b0 = code[i]!;
  if (b0 === SHORTINT) return ((code[i + 1]! << 24) | (code[i + 2]! << 16)) >> 16;
  if (b0 <= 246) return b0 - 139;
  if (b0 <= 250) return (b0 - 247) * 256 + code[i + 1]! + 108;
  if (b0 <= 254) return -(b0 - 251) * 256 - code[i + 1]! - 108;
  return Number.NaN;
}
