import { SignPdf } from '@signpdf/signpdf';
import {
  beginText,
  endText,
  moveText,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFInvalidObject,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFString,
  rectangle,
  rgb,
  setFillingColor,
  setFontAndSize,
  setLineWidth,
  setStrokingColor,
  showText,
  stroke,
  type PDFObject,
} from 'pdf-lib';
import type { P12Contents, SignatureDetails } from '../signing.ts';
import { fontkitForPdfLib } from './fontkit-adapter.ts';
import { NodeCmsSigner, signatureDictionary } from './signature.ts';

// A second signature added to a signed PDF as an incremental update (ISO 32000-1 §7.5.6): the
// signed bytes stay exactly as they are, and the new objects — the signature, its visible widget
// with an appearance, the page and the form that now list it, the font the appearance draws with —
// are appended after them with an xref section whose /Prev points at the first one. The first
// signature's byte range then still covers its revision unchanged, and the new one covers the
// whole file. pdf-lib only reads and builds objects here; it never saves (a save rewrites the file).

export interface VisibleSignature {
  /** on the last page, in points: [x1, y1, x2, y2] */
  rect: [number, number, number, number];
  /** what the box shows, one line each */
  lines: string[];
  /** the font the appearance embeds (a subset of it) */
  font: Uint8Array;
}

const FONT_SIZE = 9;
const LINE_HEIGHT = 14;
const PADDING = 8;
const ANNOTATION_PRINT = 4;

/** The signed copy of `signed` with the .p12's signature added in an incremental update. */
export async function countersignPdf(
  signed: Uint8Array,
  details: SignatureDetails,
  contents: P12Contents,
  visible: VisibleSignature,
): Promise<Buffer> {
  const original = Buffer.from(signed.buffer, signed.byteOffset, signed.byteLength);
  const doc = await PDFDocument.load(original, { updateMetadata: false });
  const context = doc.context;
  const firstNew = context.largestObjectNumber + 1;
  const changed = new Set<PDFRef>();

  doc.registerFontkit(fontkitForPdfLib);
  const font = await doc.embedFont(visible.font, { subset: true });
  const [x1, y1, x2, y2] = visible.rect;
  const width = x2 - x1;
  const height = y2 - y1;
  const operators = [
    setStrokingColor(rgb(0.6, 0.1, 0.1)),
    setLineWidth(1),
    rectangle(0.5, 0.5, width - 1, height - 1),
    stroke(),
    setFillingColor(rgb(0.1, 0.1, 0.1)),
    ...visible.lines.flatMap((line, index) => [
      beginText(),
      setFontAndSize('F1', FONT_SIZE),
      moveText(PADDING, height - PADDING - FONT_SIZE - index * LINE_HEIGHT),
      showText(font.encodeText(line)),
      endText(),
    ]),
  ];
  const appearance = context.register(
    context.formXObject(operators, { BBox: [0, 0, width, height], Resources: { Font: { F1: font.ref } } }),
  );

  const signatureBytes = signatureDictionary(context, details);
  const signatureRef = context.register(PDFInvalidObject.of(signatureBytes));
  const page = doc.getPage(doc.getPageCount() - 1);
  const fieldCount = countFields(doc);
  const widget = context.register(
    context.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      Rect: visible.rect,
      V: signatureRef,
      T: PDFString.of(`Signature${fieldCount + 1}`),
      F: ANNOTATION_PRINT,
      P: page.ref,
      AP: { N: appearance },
    }),
  );
  const annotations = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
  if (annotations) annotations.push(widget);
  else page.node.set(PDFName.of('Annots'), context.obj([widget]));
  changed.add(page.ref);
  addField(doc, widget, changed);
  await doc.flush();

  const update = incrementalUpdate(original, doc, firstNew, changed);
  return new SignPdf().sign(Buffer.concat([original, update]), new NodeCmsSigner(contents), details.signingTime);
}

function countFields(doc: PDFDocument): number {
  const form = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  return form?.lookupMaybe(PDFName.of('Fields'), PDFArray)?.size() ?? 0;
}

/** Lists the widget in the document's form, rewriting the form (or the catalog, when it holds the form directly). */
function addField(doc: PDFDocument, widget: PDFRef, changed: Set<PDFRef>) {
  const context = doc.context;
  const entry = doc.catalog.get(PDFName.of('AcroForm'));
  if (entry instanceof PDFRef) {
    const form = context.lookup(entry, PDFDict);
    const fields = form.lookupMaybe(PDFName.of('Fields'), PDFArray);
    if (fields) fields.push(widget);
    else form.set(PDFName.of('Fields'), context.obj([widget]));
    form.set(PDFName.of('SigFlags'), PDFNumber.of(3));
    changed.add(entry);
    return;
  }
  const form = context.register(context.obj({ SigFlags: 3, Fields: [widget] }));
  doc.catalog.set(PDFName.of('AcroForm'), form);
  const catalogRef = context.trailerInfo.Root;
  if (!(catalogRef instanceof PDFRef)) throw new Error('the PDF has no catalog reference');
  changed.add(catalogRef);
}

/** The appended revision: the new and changed objects, an xref section for them, and a trailer chained with /Prev. */
function incrementalUpdate(original: Buffer, doc: PDFDocument, firstNew: number, changed: Set<PDFRef>): Buffer {
  const previousXref = lastStartXref(original);
  const objects = doc.context
    .enumerateIndirectObjects()
    .filter(([ref]) => ref.objectNumber >= firstNew || changed.has(ref))
    .sort(([a], [b]) => a.objectNumber - b.objectNumber);
  const parts: Buffer[] = [Buffer.from('\n', 'latin1')];
  let offset = original.length + 1;
  const offsets: [PDFRef, number][] = [];
  for (const [ref, object] of objects) {
    offsets.push([ref, offset]);
    const bytes = Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'), serialize(object), Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(bytes);
    offset += bytes.length;
  }
  const xrefAt = offset;
  const lines = ['xref'];
  // one subsection per run of consecutive object numbers
  let index = 0;
  while (index < offsets.length) {
    let end = index;
    while (end + 1 < offsets.length && offsets[end + 1]![0].objectNumber === offsets[end]![0].objectNumber + 1) end++;
    lines.push(`${offsets[index]![0].objectNumber} ${end - index + 1}`);
    for (const [ref, at] of offsets.slice(index, end + 1)) {
      lines.push(`${String(at).padStart(10, '0')} ${String(ref.generationNumber).padStart(5, '0')} n \r`);
    }
    index = end + 1;
  }
  const info = doc.context.trailerInfo;
  const trailer = doc.context.obj({
    Size: doc.context.largestObjectNumber + 1,
    Root: info.Root,
    ...(info.Info ? { Info: info.Info } : {}),
    ...(info.ID ? { ID: info.ID } : {}),
    Prev: previousXref,
  });
  parts.push(Buffer.from(`${lines.join('\n')}\ntrailer\n${String(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

function serialize(object: PDFObject): Buffer {
  const bytes = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(bytes, 0);
  return Buffer.from(bytes);
}

function lastStartXref(pdf: Buffer): number {
  const tail = pdf.subarray(Math.max(0, pdf.length - 1024)).toString('latin1');
  const matches = [...tail.matchAll(/startxref\s+(\d+)/g)];
  const last = matches.at(-1);
  if (!last) throw new Error('the PDF has no startxref');
  return Number(last[1]);
}

