import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { requestParts } from '../../plugins/multipart-form.ts';
import { MAX_P12_BYTES } from './schemas.ts';
import type { SigningUpload } from './signing.ts';

/**
 * The organisation's PKCS#12 file (part `p12`) and its password (field `password`), read into
 * memory for the signing and nowhere else: no storage, no log. The same for the page (after its
 * CSRF token) and the API.
 */
export async function readSigningUpload(request: FastifyRequest): Promise<SigningUpload> {
  let password: string | null = null;
  let p12: Buffer | null = null;
  for await (const part of requestParts(request)) {
    if (part.type === 'field' && part.fieldname === 'password') password = String(part.value);
    else if (part.type === 'file' && part.fieldname === 'p12') {
      p12 = await part.toBuffer().catch((error: unknown) => {
        if (part.file.truncated) throw new AppError('FILE_TOO_LARGE', `数字证书文件不能超过 ${MAX_P12_BYTES / 1024} KB`, 'p12');
        throw error;
      });
      if (part.file.truncated) throw new AppError('FILE_TOO_LARGE', `数字证书文件不能超过 ${MAX_P12_BYTES / 1024} KB`, 'p12');
    } else if (part.type === 'file') part.file.resume();
  }
  if (!p12 || p12.length === 0) throw new AppError('FILE_REQUIRED', '请选择本单位的数字证书文件（.p12/.pfx）', 'p12');
  if (password === null) throw new AppError('VALIDATION_FAILED', '请输入数字证书密码', 'password');
  return { p12, password };
}
