import {
  fill,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingColor,
  setLineWidth,
  setStrokingColor,
  stroke,
  type Color,
  type PDFOperator,
} from 'pdf-lib';
import QRCode from 'qrcode';

// Vector shapes as PDF operators, many shapes to one path. pdf-lib's drawing methods check
// their options and write some 17 operators for every rectangle: an evaluation report's
// thousands of table cells took a quarter of its rendering, and its SVG path parser 2 ms for
// the QR code of every document.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `boxes` filled with `color` as one path. */
export function filledBoxes(boxes: readonly Box[], color: Color): PDFOperator[] {
  if (boxes.length === 0) return [];
  return [pushGraphicsState(), setFillingColor(color), ...boxes.map(toRectangle), fill(), popGraphicsState()];
}

/** The outlines of `boxes`, `lineWidth` wide in `color`, as one path. */
export function outlinedBoxes(boxes: readonly Box[], color: Color, lineWidth: number): PDFOperator[] {
  if (boxes.length === 0) return [];
  return [pushGraphicsState(), setStrokingColor(color), setLineWidth(lineWidth), ...boxes.map(toRectangle), stroke(), popGraphicsState()];
}

function toRectangle({ x, y, width, height }: Box): PDFOperator {
  return rectangle(x, y, width, height);
}

/**
 * The QR code of `url`, `size` points square with its top left corner at (x, top), in `color`:
 * one rectangle per horizontal run of dark modules.
 */
export function qrCode(url: string, x: number, top: number, size: number, color: Color): PDFOperator[] {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const unit = size / modules.size;
  const runs: Box[] = [];
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col++;
      runs.push({ x: x + start * unit, y: top - (row + 1) * unit, width: (col - start) * unit, height: unit });
    }
  }
  return filledBoxes(runs, color);
}
