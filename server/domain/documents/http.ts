import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { DocumentService } from './service.ts';
import { MAX_VERIFY_UPLOAD_BYTES } from './schemas.ts';

/**
 * The one file of a verify upload, streamed into the hash (never buffered whole, never stored);
 * over MAX_VERIFY_UPLOAD_BYTES → 413.
 */
export async function checkUploadedFile(request: FastifyRequest, documents: DocumentService, code: string) {
  const file = await request.file({ limits: { fileSize: MAX_VERIFY_UPLOAD_BYTES, files: 1 } });
  if (!file) throw new AppError('FILE_REQUIRED', '请选择要核验的 PDF 文件');
  const result = await documents.checkDocumentFile(code, file.file);
  if (file.file.truncated) throw new AppError('FILE_TOO_LARGE', `核验文件不能超过 ${MAX_VERIFY_UPLOAD_BYTES / 1024 / 1024} MB`);
  return result;
}
