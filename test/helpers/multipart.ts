import { randomBytes } from 'node:crypto';
import { DEFAULT_ELIGIBILITY } from '../../server/domain/recruitments/rules.ts';

/** The `declarations` field of a bid that declares every default eligibility condition met. */
export const ALL_DECLARED = JSON.stringify(Object.fromEntries(DEFAULT_ELIGIBILITY.map((condition) => [condition.key, true])));

export interface UploadFile {
  field?: string;
  filename: string;
  content: Buffer;
  type?: string;
}

/** A multipart/form-data body as a browser sends it: fields first, then the files. */
export function multipart(fields: Record<string, string>, files: UploadFile[]) {
  const boundary = `----portal${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'documents'}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.type ?? 'application/pdf'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A small PDF whose text contains `marker`, so a test can look for the plaintext anywhere. */
export function pdfWith(marker: string, padding = 0): Buffer {
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% ${marker}\n`),
    Buffer.alloc(padding, 0x20),
    Buffer.from('\n%%EOF\n'),
  ]);
}
