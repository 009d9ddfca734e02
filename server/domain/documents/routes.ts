import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as security, IdParams } from '../../lib/schemas.ts';
import { currentUser } from '../../plugins/auth.ts';
import { CodeParams, DocumentSummary, FileCheck, Verification } from './schemas.ts';
import type { DocumentService } from './service.ts';
import { checkUploadedFile, readers, sendDocument, verifyUploadConfig } from './http.ts';

const tags = ['documents'];

const documentRoutes: FastifyPluginAsyncTypebox<{ documents: DocumentService }> = async (app, { documents }) => {
  app.get(
    '/api/v1/recruitments/:id/documents',
    {
      schema: {
        summary: '招募项目的签名文件（经办人、纪检监督员：全部；响应单位：本单位的；评审专家：开标记录和评审报告）',
        tags,
        security,
        params: IdParams,
        response: { 200: Type.Array(DocumentSummary) },
      },
      onRequest: readers,
    },
    async (request) => documents.listDocuments(request.params.id, currentUser(request)),
  );

  app.get(
    '/api/v1/documents/:id',
    {
      schema: { summary: '下载签名 PDF（查看权限同上；下载记入操作日志）', tags, security, params: IdParams },
      onRequest: readers,
    },
    async (request, reply) => sendDocument(request, reply, documents),
  );

  app.get(
    '/api/v1/verify/:code',
    {
      schema: {
        summary: '核验文件（公开）：文件类型、招募项目、单位、签发时间、SHA-256 和状态',
        tags,
        params: CodeParams,
        response: { 200: Verification },
      },
    },
    async (request) => documents.verifyDocument(request.params.code),
  );

  app.post(
    '/api/v1/verify/:code',
    {
      schema: {
        summary: '上传 PDF 核验（公开，multipart，字段 file）：比对其 SHA-256 与签发文件是否一致',
        tags,
        consumes: ['multipart/form-data'],
        params: CodeParams,
        response: { 200: FileCheck },
      },
      config: verifyUploadConfig,
    },
    async (request) => checkUploadedFile(request, documents, request.params.code),
  );
};

export default documentRoutes;
