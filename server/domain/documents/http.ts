import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { attachmentHeader } from '../../lib/content-disposition.ts';
import { currentUser, requestOrigin, requireRole } from '../../plugins/auth.ts';
import { requestParts } from '../../plugins/multipart-form.ts';
import type { DocumentService } from './service.ts';
import { MAX_VERIFY_UPLOAD_BYTES } from './schemas.ts';

// What the API routes and the pages share: who may read documents, how one is downloaded and
// how an uploaded copy is checked.

/** the service then narrows what each of them sees */
export const readers = requireRole('agent', 'inspector', 'bidder', 'expert');

/** Answers the signed PDF (the route's :id, or the one given), audited by the service, with its SHA-256 in a header. */
export async function sendDocument(
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  documents: Pick<DocumentService, 'downloadDocument'>,
  documentId = request.params.id,
) {
  const { pdf, fileName, sha256 } = await documents.downloadDocument(documentId, currentUser(request), requestOrigin(request));
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', attachmentHeader(fileName))
    .header('x-content-sha256', sha256)
    .send(pdf);
}

/**
 * The one file of a verify upload, streamed into the hash (never buffered whole, never stored);
 * over MAX_VERIFY_UPLOAD_BYTES → 413.
 */
export async function checkUploadedFile(request: FastifyRequest, documents: DocumentService, code: string) {
  for await (const part of requestParts(request)) {
    if (part.type !== 'file') continue;
    const result = await documents.checkDocumentFile(code, part.file);
    if (part.file.truncated) throw new AppError('FILE_TOO_LARGE', `核验文件不能超过 ${MAX_VERIFY_UPLOAD_BYTES / 1024 / 1024} MB`);
    return result;
  }
  throw new AppError('FILE_REQUIRED', '请选择要核验的 PDF 文件');
}

/** The route config of a verify upload (page and API): one file, at most MAX_VERIFY_UPLOAD_BYTES. */
export const verifyUploadConfig = { multipartOptions: { limits: { fileSize: MAX_VERIFY_UPLOAD_BYTES, files: 1 } } };
