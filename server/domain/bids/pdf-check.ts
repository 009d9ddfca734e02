import { Transform } from 'node:stream';

// A bid document must be a PDF: its first bytes are the PDF header "%PDF-" (ISO 32000-1 §7.5.2),
// whatever name or type the client claims. Checked on the stream itself, before anything is kept.
const PDF_HEADER = Buffer.from('%PDF-', 'latin1');

export class NotPdfError extends Error {
  constructor() {
    super('not a PDF');
  }
}

/** Passes bytes through once the header is seen; errors at the first bytes that are not it. */
export function requirePdfHeader(): Transform {
  let head = Buffer.alloc(0);
  let checked = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (checked) return callback(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length < PDF_HEADER.length) return callback();
      if (!head.subarray(0, PDF_HEADER.length).equals(PDF_HEADER)) return callback(new NotPdfError());
      checked = true;
      callback(null, head);
    },
    flush(callback) {
      callback(checked ? null : new NotPdfError());
    },
  });
}
