import { createHash } from 'node:crypto';
import { PDFDocument, rgb, setCharacterSpacing, type PDFFont, type PDFPage } from 'pdf-lib';
import { deflateContentStreams, deflateEmbeddedStreams } from './deflate.ts';
import { fontkitForPdfLib, missingGlyphs, postscriptName } from './fontkit-adapter.ts';
import { textLine } from './text-line.ts';
import { filledBoxes, outlinedBoxes, qrCode } from './vector.ts';

// Pure A4 layout: a small document model in, PDF bytes out. No file system, no clock: the fonts
// and the creation date come in as arguments. The PDF is unsigned and has no signature
// placeholder; signing.ts adds both, so rendering does not depend on how documents are signed.

// ── the document model ──────────────────────────────────────────────────────────────────────

export type Align = 'left' | 'center' | 'right';

export interface Column {
  header: string;
  /** relative width; the columns share the text width in proportion */
  width: number;
  align?: Align;
}

export type Block =
  | { kind: 'title'; text: string; subtitle?: string }
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; indent?: boolean; align?: Align; bold?: boolean; small?: boolean; keepWithNext?: boolean }
  /** a two-column table of labels and values */
  | { kind: 'fields'; rows: readonly (readonly [string, string])[] }
  /** a bordered table; the header row repeats on every page the table runs onto */
  | { kind: 'table'; columns: readonly Column[]; rows: readonly (readonly string[])[]; small?: boolean; keepWithNext?: boolean }
  /** kept on one page: the QR code with its caption on the left, the signatory lines on the right */
  | { kind: 'signature'; lines: readonly string[]; qr?: { url: string; caption: readonly string[] } }
  /** a QR code of `size` points, centred, with centred lines under it (a poster's) */
  | { kind: 'qr'; url: string; size: number; caption: readonly string[] }
  | { kind: 'gap'; height: number }
  /** the next block starts a new page (a signature page) */
  | { kind: 'pageBreak' };

export interface DocumentModel {
  blocks: readonly Block[];
  /** repeated small at the top of every page after the first */
  runningHeader: string;
  /** small grey lines at the foot of every page, beside the page number */
  footer: readonly string[];
  metadata: {
    title: string;
    subject: string;
    author: string;
    keywords: readonly string[];
    creator: string;
    producer: string;
    createdAt: Date;
  };
}

export interface DocumentFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** The text uses characters the embedded font cannot draw; they would silently vanish. */
export class MissingGlyphsError extends Error {
  override name = 'MissingGlyphsError';
  constructor(readonly characters: readonly string[]) {
    super(`the document font has no glyph for: ${characters.join(' ')}`);
  }
}

// ── page geometry (PDF points, origin bottom left) ──────────────────────────────────────────

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN_X = 62;
const MARGIN_TOP = 64;
export const MARGIN_BOTTOM = 78;
export const CONTENT_WIDTH = A4[0] - 2 * MARGIN_X;

const BODY_SIZE = 11;
const LINE = 1.65;
const TABLE_SIZE = 9;
const SMALL_TABLE_SIZE = 7.5;
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3.5;
const QR_SIZE = 78;
/** blocks up to this tall are never split across pages (a third of the text height) */
const SHORT_BLOCK = (A4[1] - MARGIN_TOP - MARGIN_BOTTOM) / 3;

const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.42, 0.42, 0.42);
const RULE = rgb(0.55, 0.55, 0.55);
const SHADE = rgb(0.93, 0.93, 0.93);

/** The baseline of text of `size` set in a line box of `lineHeight` whose top is at `top`. */
function baseline(top: number, size: number, lineHeight: number) {
  // Source Han Sans draws its ideographs between 0.88 em above and 0.12 em below the baseline
  return top - (lineHeight - size) / 2 - 0.88 * size;
}

// ── line breaking ───────────────────────────────────────────────────────────────────────────

// Chinese text breaks between any two characters, Latin text only at spaces; punctuation that
// may not start a line is glued to what precedes it, punctuation that may not end one to what
// follows (the usual 避头尾 rules).
const NO_LINE_START = new Set('，。、；：！？）》」』】〕”’％…—,.;:!?)]}%·');
const NO_LINE_END = new Set('（《「『【〔“‘([{');
const LATIN_WORD = /^[\p{Script=Latin}\p{N}@#&+\-_/.:'"=~*]$/u;

function tokens(text: string): string[] {
  const units: string[] = [];
  let glueNext = false;
  for (const char of text) {
    const last = units.length - 1;
    const latin = LATIN_WORD.test(char);
    if (last >= 0 && (glueNext || NO_LINE_START.has(char) || (latin && LATIN_WORD.test(units[last]!.slice(-1))))) {
      units[last] += char;
    } else {
      units.push(char);
    }
    glueNext = NO_LINE_END.has(char);
  }
  return units;
}

function clean(text: string): string {
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
}

/** `text` broken into lines no wider than `width`; `firstIndent` narrows the first line. */
function wrap(text: string, font: PDFFont, size: number, width: number, firstIndent = 0): string[] {
  const lines: string[] = [];
  for (const hardLine of clean(text).split('\n')) {
    let line = '';
    let lineWidth = 0;
    const measure = (piece: string) => font.widthOfTextAtSize(piece, size);
    const room = () => width - (lines.length === 0 ? firstIndent : 0);
    const push = () => {
      lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    const append = (piece: string, pieceWidth: number) => {
      line += piece;
      lineWidth += pieceWidth;
    };
    for (const unit of tokens(hardLine)) {
      if (line === '' && unit === ' ') continue;
      const unitWidth = measure(unit);
      // trailing spaces may hang past the margin: trimEnd drops them from the line
      if (lineWidth + measure(unit.trimEnd()) <= room()) {
        append(unit, unitWidth);
        continue;
      }
      if (line !== '') push();
      const piece = unit.trimStart();
      const pieceWidth = measure(piece);
      if (pieceWidth <= room()) {
        append(piece, pieceWidth);
        continue;
      }
      // a word longer than the line (a digest, a URL): break it between characters
      for (const char of piece) {
        const charWidth = measure(char);
        if (line !== '' && lineWidth + charWidth > room()) push();
        append(char, charWidth);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

// ── the renderer ────────────────────────────────────────────────────────────────────────────

function allText(model: DocumentModel): string {
  const parts: string[] = [model.runningHeader, ...model.footer];
  for (const block of model.blocks) {
    switch (block.kind) {
      case 'title':
        parts.push(block.text, block.subtitle ?? '');
        break;
      case 'heading':
      case 'paragraph':
        parts.push(block.text);
        break;
      case 'fields':
        for (const row of block.rows) parts.push(...row);
        break;
      case 'table':
        parts.push(...block.columns.map((column) => column.header));
        for (const row of block.rows) parts.push(...row);
        break;
      case 'signature':
        parts.push(...block.lines, ...(block.qr?.caption ?? []));
        break;
      case 'qr':
        parts.push(...block.caption);
        break;
      case 'gap':
      case 'pageBreak':
        break;
    }
  }
  return parts.join('\n') + '第页共/0123456789';
}

/**
 * `ABCDEF+PostScriptName`: the tag marks an embedded subset (ISO 32000 §9.6.4), which readers
 * and pdffonts rely on. It is derived from the text, not drawn at random, so the same input
 * renders to the same bytes.
 */
function subsetName(fontBytes: Uint8Array, text: string): string {
  const digest = createHash('sha256').update(fontBytes.subarray(0, 4096)).update(text).digest();
  const tag = Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
  return `${tag}+${postscriptName(fontBytes)}`;
}

export async function renderPdf(model: DocumentModel, fonts: DocumentFonts): Promise<Uint8Array> {
  const text = allText(model);
  const missing = [...new Set([...missingGlyphs(fonts.regular, text), ...missingGlyphs(fonts.bold, text)])];
  if (missing.length > 0) throw new MissingGlyphsError(missing);

  // updateMetadata: false, or pdf-lib stamps its own producer and reads the clock
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkitForPdfLib);
  deflateEmbeddedStreams(pdf);
  const regular = await pdf.embedFont(fonts.regular, { subset: true, customName: subsetName(fonts.regular, text) });
  const bold = await pdf.embedFont(fonts.bold, { subset: true, customName: subsetName(fonts.bold, text) });

  const meta = model.metadata;
  pdf.setTitle(meta.title, { showInWindowTitleBar: true });
  pdf.setSubject(meta.subject);
  pdf.setAuthor(meta.author);
  pdf.setKeywords([...meta.keywords]);
  pdf.setCreator(meta.creator);
  pdf.setProducer(meta.producer);
  pdf.setCreationDate(meta.createdAt);
  pdf.setModificationDate(meta.createdAt);
  pdf.setLanguage('zh-CN');

  let page!: PDFPage;
  let y = 0;
  const newPage = () => {
    page = pdf.addPage(A4);
    y = A4[1] - MARGIN_TOP;
  };
  newPage();
  const atPageTop = () => y === A4[1] - MARGIN_TOP;
  const fits = (height: number) => y - height >= MARGIN_BOTTOM;
  const ensure = (height: number) => {
    if (!fits(height) && !atPageTop()) newPage();
  };

  const drawLine = (line: string, x: number, top: number, width: number, options: {
    font: PDFFont; size: number; lineHeight: number; align?: Align; color?: ReturnType<typeof rgb>; justify?: boolean;
  }) => {
    const { font, size, lineHeight } = options;
    const lineWidth = font.widthOfTextAtSize(line, size);
    const align = options.align ?? 'left';
    const dx = align === 'center' ? (width - lineWidth) / 2 : align === 'right' ? width - lineWidth : 0;
    const chars = [...line].length;
    // Justified lines end flush with the margin, as printed Chinese does; the slack is spread
    // between the characters, and only when it is small (a line of Latin words keeps its spaces)
    const slack = width - lineWidth;
    const spacing = options.justify && chars > 1 && slack > 0 && slack < 1.5 * size ? slack / (chars - 1) : 0;
    if (spacing) page.pushOperators(setCharacterSpacing(spacing));
    page.pushOperators(...textLine(page, line, font, size, x + dx, baseline(top, size, lineHeight), options.color ?? INK));
    if (spacing) page.pushOperators(setCharacterSpacing(0));
  };

  // Each block is laid out (wrapped, measured) before anything is drawn, so a block can be kept
  // on the page of the one that follows it.
  interface Prepared {
    height: number;
    draw(): void;
  }

  const paragraph = (block: Extract<Block, { kind: 'paragraph' }>): Prepared => {
    const size = block.small ? 9 : BODY_SIZE;
    const lineHeight = size * LINE;
    const font = block.bold ? bold : regular;
    const indent = block.indent ? 2 * size : 0;
    const lines = wrap(block.text, font, size, CONTENT_WIDTH, indent);
    return {
      height: lines.length * lineHeight + size * 0.5,
      draw() {
        lines.forEach((line, index) => {
          ensure(lineHeight);
          const first = index === 0 ? indent : 0;
          drawLine(line, MARGIN_X + first, y, CONTENT_WIDTH - first, {
            font, size, lineHeight, align: block.align,
            justify: (block.align ?? 'left') === 'left' && index < lines.length - 1,
          });
          y -= lineHeight;
        });
        y -= size * 0.5;
      },
    };
  };

  const table = (columns: readonly Column[], rows: readonly (readonly string[])[], options: {
    header: boolean; size: number; shadeFirstColumn: boolean;
  }): Prepared => {
    const { size } = options;
    const lineHeight = size * 1.45;
    const total = columns.reduce((sum, column) => sum + column.width, 0);
    const widths = columns.map((column) => (column.width / total) * CONTENT_WIDTH);
    const lefts = widths.map((_, index) => MARGIN_X + widths.slice(0, index).reduce((a, b) => a + b, 0));
    const cellLines = (cells: readonly string[], font: PDFFont) =>
      widths.map((width, index) => wrap(cells[index] ?? '', font, size, width - 2 * CELL_PAD_X));
    const linesOf = (cells: string[][]) => Math.max(1, ...cells.map((lines) => lines.length));
    const heightOf = (cells: string[][]) => linesOf(cells) * lineHeight + 2 * CELL_PAD_Y;

    const headerCells = options.header ? cellLines(columns.map((column) => column.header), bold) : [];
    const headerHeight = options.header ? heightOf(headerCells) : 0;
    const bodyCells = rows.map((row) => cellLines(row, regular));
    const height = headerHeight + bodyCells.reduce((sum, cells) => sum + heightOf(cells), 0) + 8;

    // draws `lines[from, from + count)` of every cell as one band of the row
    const band = (cells: string[][], from: number, count: number, font: PDFFont, shaded: (index: number) => boolean) => {
      const bandHeight = count * lineHeight + 2 * CELL_PAD_Y;
      const boxes = cells.map((_, index) => ({ x: lefts[index]!, y: y - bandHeight, width: widths[index]!, height: bandHeight }));
      page.pushOperators(...filledBoxes(boxes.filter((_, index) => shaded(index)), SHADE), ...outlinedBoxes(boxes, RULE, 0.5));
      cells.forEach((lines, index) => {
        const box = boxes[index]!;
        lines.slice(from, from + count).forEach((line, n) => {
          drawLine(line, box.x + CELL_PAD_X, y - CELL_PAD_Y - n * lineHeight, box.width - 2 * CELL_PAD_X, {
            font, size, lineHeight, align: columns[index]!.align,
          });
        });
      });
      y -= bandHeight;
    };
    const drawHeader = () => {
      if (options.header) band(headerCells, 0, linesOf(headerCells), bold, () => true);
    };
    const shaded = (index: number) => options.shadeFirstColumn && index === 0;

    return {
      height,
      draw() {
        // a short table is never split; a long one breaks between rows (inside a row only when
        // the row alone is taller than a page) and repeats its header
        ensure(height <= SHORT_BLOCK ? height : headerHeight + (bodyCells[0] ? heightOf(bodyCells[0]) : 0));
        drawHeader();
        for (const cells of bodyCells) {
          const count = linesOf(cells);
          let from = 0;
          while (from < count) {
            const room = Math.floor((y - MARGIN_BOTTOM - 2 * CELL_PAD_Y) / lineHeight);
            const freshPage = y >= A4[1] - MARGIN_TOP - headerHeight;
            if (room >= count - from || (freshPage && room > 0)) {
              const take = Math.min(room, count - from);
              band(cells, from, take, regular, shaded);
              from += take;
            } else {
              newPage();
              drawHeader();
            }
          }
        }
        y -= 8;
      },
    };
  };

  const title = (block: Extract<Block, { kind: 'title' }>): Prepared => {
    const size = 19;
    const lines = wrap(block.text, bold, size, CONTENT_WIDTH);
    const subtitle = block.subtitle ? wrap(block.subtitle, regular, 10, CONTENT_WIDTH) : [];
    const height = 6 + lines.length * size * 1.5 + subtitle.length * 16 + 14;
    return {
      height,
      draw() {
        ensure(height);
        y -= 6;
        for (const line of lines) {
          drawLine(line, MARGIN_X, y, CONTENT_WIDTH, { font: bold, size, lineHeight: size * 1.5, align: 'center' });
          y -= size * 1.5;
        }
        for (const line of subtitle) {
          drawLine(line, MARGIN_X, y, CONTENT_WIDTH, { font: regular, size: 10, lineHeight: 16, align: 'center', color: GREY });
          y -= 16;
        }
        y -= 14;
      },
    };
  };

  const heading = (block: Extract<Block, { kind: 'heading' }>): Prepared => {
    const size = 12.5;
    const lineHeight = size * 1.5;
    const lines = wrap(block.text, bold, size, CONTENT_WIDTH);
    const height = 6 + lines.length * lineHeight + 2;
    return {
      height,
      draw() {
        y -= 6;
        for (const line of lines) {
          drawLine(line, MARGIN_X, y, CONTENT_WIDTH, { font: bold, size, lineHeight });
          y -= lineHeight;
        }
        y -= 2;
      },
    };
  };

  const signature = (block: Extract<Block, { kind: 'signature' }>): Prepared => {
    const lineHeight = BODY_SIZE * 1.9;
    const captionSize = 7.5;
    const captionLineHeight = captionSize * 1.4;
    const caption = (block.qr?.caption ?? []).flatMap((line) => wrap(line, regular, captionSize, CONTENT_WIDTH * 0.55));
    const qrHeight = block.qr ? QR_SIZE + 4 + caption.length * captionLineHeight : 0;
    const height = 24 + Math.max(qrHeight, block.lines.length * lineHeight);
    return {
      height,
      draw() {
        ensure(height);
        y -= 24;
        const top = y;
        block.lines.forEach((line, index) => {
          drawLine(line, MARGIN_X + CONTENT_WIDTH * 0.4, top - index * lineHeight, CONTENT_WIDTH * 0.6, {
            font: regular, size: BODY_SIZE, lineHeight, align: 'right',
          });
        });
        if (block.qr) {
          page.pushOperators(...qrCode(block.qr.url, MARGIN_X, top, QR_SIZE, INK));
          caption.forEach((line, index) => {
            drawLine(line, MARGIN_X, top - QR_SIZE - 4 - index * captionLineHeight, CONTENT_WIDTH * 0.55, {
              font: regular, size: captionSize, lineHeight: captionLineHeight, color: GREY,
            });
          });
        }
        y = top - Math.max(qrHeight, block.lines.length * lineHeight);
      },
    };
  };

  const qr = (block: Extract<Block, { kind: 'qr' }>): Prepared => {
    const size = 10;
    const lineHeight = size * 1.5;
    const caption = block.caption.flatMap((line) => wrap(line, regular, size, CONTENT_WIDTH));
    const height = 12 + block.size + 8 + caption.length * lineHeight;
    return {
      height,
      draw() {
        ensure(height);
        y -= 12;
        page.pushOperators(...qrCode(block.url, MARGIN_X + (CONTENT_WIDTH - block.size) / 2, y, block.size, INK));
        y -= block.size + 8;
        for (const line of caption) {
          drawLine(line, MARGIN_X, y, CONTENT_WIDTH, { font: regular, size, lineHeight, align: 'center', color: GREY });
          y -= lineHeight;
        }
      },
    };
  };

  const prepare = (block: Block): Prepared => {
    switch (block.kind) {
      case 'title':
        return title(block);
      case 'heading':
        return heading(block);
      case 'paragraph':
        return paragraph(block);
      case 'fields':
        return table([{ header: '', width: 3 }, { header: '', width: 7 }], block.rows, {
          header: false, size: 10, shadeFirstColumn: true,
        });
      case 'table':
        return table(block.columns, block.rows, {
          header: true, size: block.small ? SMALL_TABLE_SIZE : TABLE_SIZE, shadeFirstColumn: false,
        });
      case 'signature':
        return signature(block);
      case 'qr':
        return qr(block);
      case 'gap':
        return { height: block.height, draw: () => void (y -= block.height) };
      case 'pageBreak':
        return { height: 0, draw: () => void (atPageTop() || newPage()) };
    }
  };

  const prepared = model.blocks.map(prepare);
  const keptWithNext = (block: Block) => block.kind === 'heading' || ('keepWithNext' in block && block.keepWithNext === true);
  // how much of the blocks from `index` on must share a page with the block before them: a
  // chain of kept blocks whole, then a short block whole (short tables never split) or the
  // first lines of a long one
  const lead = (index: number): number => {
    const item = prepared[index];
    if (!item) return 0;
    if (keptWithNext(model.blocks[index]!)) return item.height + lead(index + 1);
    return item.height <= SHORT_BLOCK ? item.height : 2 * BODY_SIZE * LINE;
  };
  prepared.forEach((item, index) => {
    if (keptWithNext(model.blocks[index]!)) ensure(item.height + lead(index + 1));
    item.draw();
  });

  const pages = pdf.getPages();
  pages.forEach((each, index) => {
    page = each;
    const footerTop = MARGIN_BOTTOM - 22;
    page.drawLine({ start: { x: MARGIN_X, y: footerTop + 6 }, end: { x: A4[0] - MARGIN_X, y: footerTop + 6 }, thickness: 0.4, color: RULE });
    drawLine(`第 ${index + 1} 页 / 共 ${pages.length} 页`, MARGIN_X, footerTop, CONTENT_WIDTH, {
      font: regular, size: 8.5, lineHeight: 12, align: 'right', color: GREY,
    });
    model.footer.forEach((line, n) => {
      drawLine(line, MARGIN_X, footerTop - n * 10, CONTENT_WIDTH * 0.8, { font: regular, size: 6.5, lineHeight: 10, color: GREY });
    });
    if (index > 0) {
      const headerTop = A4[1] - MARGIN_TOP + 30;
      drawLine(model.runningHeader, MARGIN_X, headerTop, CONTENT_WIDTH, { font: regular, size: 8, lineHeight: 12, align: 'right', color: GREY });
      page.drawLine({ start: { x: MARGIN_X, y: headerTop - 14 }, end: { x: A4[0] - MARGIN_X, y: headerTop - 14 }, thickness: 0.4, color: RULE });
    }
  });

  deflateContentStreams(pdf);
  return pdf.save({ useObjectStreams: false });
}
