import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as bearer, ErrorReply, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requireSignIn, requestOrigin } from '../../plugins/auth.ts';
import type { AccountService } from './service.ts';
import { CreateUserBody, LoginBody, LoginReply, OrganizationCreated, RegisterOrganizationBody, UserView } from './schemas.ts';


const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (app, { accounts }) => {
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        summary: '登录，获取 API 令牌',
        tags: ['accounts'],
        body: LoginBody,
        response: { 200: LoginReply, 401: ErrorReply, 429: ErrorReply },
      },
    },
    async (request) => {
      const session = await accounts.signIn(request.body, 'api', requestOrigin(request));
      return { ...session, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: { summary: '注销当前令牌', tags: ['accounts'], security: bearer },
      onRequest: requireSignIn,
    },
    async (request) => {
      if (request.sessionToken) await accounts.signOut(request.sessionToken);
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: { summary: '当前用户', tags: ['accounts'], security: bearer, response: { 200: UserView } },
      onRequest: requireSignIn,
    },
    async (request) => accounts.getProfile(currentUser(request).id),
  );

  app.get(
    '/api/v1/users',
    {
      schema: { summary: '用户列表（管理员）', tags: ['accounts'], security: bearer },
      onRequest: requireRole('admin'),
    },
    async () => accounts.listUsers(),
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        summary: '创建招标代理、纪检监督员、评审专家或管理员账号（管理员）',
        tags: ['accounts'],
        security: bearer,
        body: CreateUserBody,
        response: { 201: UserView },
      },
      onRequest: requireRole('admin'),
    },
    async (request, reply) => {
      const user = await accounts.createUser(request.body, request.user, requestOrigin(request));
      return reply.code(201).send(await accounts.getProfile(user.id));
    },
  );

  app.put(
    '/api/v1/users/:id/active',
    {
      schema: {
        summary: '启用或停用账号（管理员）；停用的专家不再被抽取',
        tags: ['accounts'],
        security: bearer,
        params: IdParams,
        body: Type.Object({ active: Type.Boolean() }),
      },
      onRequest: requireRole('admin'),
    },
    async (request) => accounts.setUserActive(request.params.id, request.body.active, currentUser(request), requestOrigin(request)),
  );

  app.post(
    '/api/v1/organizations',
    {
      schema: {
        summary: '社会组织自助注册（注册后即可登录，角色为 bidder）',
        tags: ['accounts'],
        body: RegisterOrganizationBody,
        response: { 201: OrganizationCreated },
      },
    },
    async (request, reply) => {
      const created = await accounts.registerOrganization(request.body, requestOrigin(request));
      return reply.code(201).send(created);
    },
  );
};

export default accountRoutes;
