import { deflateSync } from 'node:zlib';
import { PDFContentStream, PDFName, PDFRawStream, typedArrayFor, type PDFDocument } from 'pdf-lib';

// pdf-lib compresses every stream with pako, zlib written in JavaScript: for a one-page notice
// that was a third of its rendering time (the font subsets, their ToUnicode maps, the page
// content). node's zlib is the same format in native code, several times faster.

/** Makes the font files and maps `pdf` embeds from now on compressed by node's zlib. */
export function deflateEmbeddedStreams(pdf: PDFDocument): void {
  const context = pdf.context;
  context.flateStream = (contents, dict = {}) =>
    context.stream(deflateSync(typedArrayFor(contents)), { ...dict, Filter: 'FlateDecode' });
}

const FLATE = PDFName.of('FlateDecode');

/**
 * Replaces each page content stream of `pdf`, which pdf-lib would compress as it saves, with the
 * same operators compressed by node's zlib. Call it when the pages are drawn, before saving.
 */
export function deflateContentStreams(pdf: PDFDocument): void {
  const context = pdf.context;
  for (const [ref, object] of context.enumerateIndirectObjects()) {
    // pdf-lib names the filter in the dictionary when it makes a stream it will compress
    if (object instanceof PDFContentStream && object.dict.get(PDFName.of('Filter')) === FLATE) {
      context.assign(ref, PDFRawStream.of(object.dict, deflateSync(object.getUnencodedContents())));
    }
  }
}
