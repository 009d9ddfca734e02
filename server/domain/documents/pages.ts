import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { attachmentHeader } from '../../lib/content-disposition.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser } from '../../plugins/auth.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import { CodeParams, MAX_VERIFY_UPLOAD_BYTES } from './schemas.ts';
import type { DocumentService } from './service.ts';
import { checkUploadedFile, readers, sendDocument, verifyUploadConfig } from './http.ts';

const CodeQuery = Type.Object({ code: Type.Optional(Type.String({ maxLength: 40 })) });

// The documents page of a recruitment (one page, filtered per role like the API) and the public
// verify page, where anyone can look a code up and upload a PDF to compare it with the issued one.
const documentPages: FastifyPluginAsyncTypebox<{ documents: DocumentService; recruitments: RecruitmentService }> = async (
  app,
  { documents, recruitments },
) => {
  app.get('/recruitments/:id/documents', { schema: { params: IdParams }, onRequest: readers }, async (request, reply) => {
    const user = currentUser(request);
    const recruitment = await recruitments.getRecruitment(request.params.id, user);
    const list = await documents.listDocuments(recruitment.id, user);
    return reply.page('documents/list', {
      title: `签名文件：${recruitment.title}`,
      recruitment,
      documents: list.map((document) => ({ ...document, download: `/documents/${document.id}`, verifyPath: `/verify/${document.verifyCode}` })),
      expected: recruitment.status === 'awarded' || list.length > 0,
    });
  });

  app.get('/documents/:id', { schema: { params: IdParams }, onRequest: readers }, async (request, reply) =>
    sendDocument(request, reply, documents),
  );

  // public: whoever reads the announcement can compare the bid key fingerprint on a receipt with it
  app.get('/recruitments/:id/announcement.pdf', { schema: { params: IdParams } }, async (request, reply) => {
    const { pdf, fileName, sha256 } = await documents.announcementFile(request.params.id);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', attachmentHeader(fileName))
      .header('x-content-sha256', sha256)
      .send(pdf);
  });

  app.get('/verify', { schema: { querystring: CodeQuery } }, async (request, reply) => {
    const code = request.query.code?.trim();
    if (code) return reply.redirect(`/verify/${encodeURIComponent(code)}`, 303);
    return reply.page('documents/verify', { title: '文件核验', document: null, lookup: true });
  });

  app.get('/verify/:code', { schema: { params: CodeParams } }, async (request, reply) => {
    const document = await documents.verifyDocument(request.params.code);
    return reply.page('documents/verify', { title: `文件核验：${document.kindName}`, document, maxMb: MAX_VERIFY_UPLOAD_BYTES / 1024 / 1024 });
  });

  // the form's first field is its CSRF token, read before the file (plugins/multipart-form.ts)
  app.post('/verify/:code', { schema: { params: CodeParams }, config: verifyUploadConfig }, async (request, reply) => {
    const document = await documents.verifyDocument(request.params.code);
    const page = { title: `文件核验：${document.kindName}`, document, maxMb: MAX_VERIFY_UPLOAD_BYTES / 1024 / 1024 };
    try {
      const check = await checkUploadedFile(request, documents, request.params.code);
      return reply.page('documents/verify', { ...page, check });
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      return reply.code(error.statusCode).page('documents/verify', { ...page, uploadError: error.message });
    }
  });
};

export default documentPages;
