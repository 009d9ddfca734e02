import {
  beginText,
  endText,
  popGraphicsState,
  pushGraphicsState,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  showText,
  type Color,
  type PDFFont,
  type PDFName,
  type PDFPage,
  type PDFOperator,
} from 'pdf-lib';

// A line of text as PDF operators: what page.drawText writes for one line, without what makes
// it cost a tenth of a document's rendering (checking a dozen options, splitting and cleaning
// the text again, and adding a new font resource to the page for every line drawn).

const fontKeys = new WeakMap<PDFPage, Map<PDFFont, PDFName>>();

/** The name `font` goes by in `page`'s resources, added on its first use there. */
function fontKey(page: PDFPage, font: PDFFont): PDFName {
  let keys = fontKeys.get(page);
  if (!keys) fontKeys.set(page, (keys = new Map()));
  let key = keys.get(font);
  if (!key) keys.set(font, (key = page.node.newFontDictionary(font.name, font.ref)));
  return key;
}

/** `text` (one line, already cleaned of control characters) with its baseline starting at (x, y). */
export function textLine(page: PDFPage, text: string, font: PDFFont, size: number, x: number, y: number, color: Color): PDFOperator[] {
  return [
    pushGraphicsState(),
    beginText(),
    setFillingColor(color),
    setFontAndSize(fontKey(page, font), size),
    setTextMatrix(1, 0, 0, 1, x, y),
    showText(font.encodeText(text)),
    endText(),
    popGraphicsState(),
  ];
}
