import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerSecurity as bearer, ErrorReply, IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requireSignIn, requestOrigin } from '../../plugins/auth.ts';
import type { AccountService } from './service.ts';
import {
  ChangePasswordBody,
  CreateUserBody,
  LoginBody,
  LoginReply,
  OrganizationCreated,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RegisterOrganizationBody,
  UserView,
  VerifyEmailBody,
} from './schemas.ts';


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
        summary: '启用或停用账号（管理员）：停用的账号不能登录、已有登录随即失效，停用的专家不再被抽取；不能停用自己或最后一个启用中的管理员',
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
    '/api/v1/users/:id/password-reset',
    {
      schema: {
        summary: '向账号的电子邮箱发送重设密码链接（管理员）；原密码在链接使用前仍然有效',
        tags: ['accounts'],
        security: bearer,
        params: IdParams,
      },
      onRequest: requireRole('admin'),
    },
    async (request, reply) => {
      await accounts.sendPasswordReset(request.params.id, currentUser(request), requestOrigin(request));
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/v1/users/:id/supervises-all',
    {
      schema: {
        summary: '授予或收回纪检监督员的全部项目监督权限（管理员）：有此权限者在监督工作台和预警中看到本中心全部招募项目',
        tags: ['accounts'],
        security: bearer,
        params: IdParams,
        body: Type.Object({ supervisesAll: Type.Boolean() }),
      },
      onRequest: requireRole('admin'),
    },
    async (request) => accounts.setSupervisesAll(request.params.id, request.body.supervisesAll, currentUser(request), requestOrigin(request)),
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

  app.post(
    '/api/v1/auth/verify-email',
    {
      schema: {
        summary: '验证社会组织的电子邮箱（注册邮件中链接的 token）',
        tags: ['accounts'],
        body: VerifyEmailBody,
        response: { 200: Type.Object({ verified: Type.Boolean() }), 400: ErrorReply },
      },
    },
    async (request) => accounts.verifyEmail(request.body.token, requestOrigin(request)),
  );

  app.post(
    '/api/v1/me/verification-mail',
    {
      schema: {
        summary: '重新发送电子邮箱验证邮件（尚未验证的社会组织）',
        tags: ['accounts'],
        security: bearer,
        response: { 200: Type.Object({ verified: Type.Boolean() }), 429: ErrorReply },
      },
      onRequest: requireRole('bidder'),
    },
    async (request) => accounts.resendVerification(currentUser(request)),
  );

  app.put(
    '/api/v1/me/password',
    {
      schema: {
        summary: '修改密码；本账号的其他登录随之退出',
        tags: ['accounts'],
        security: bearer,
        body: ChangePasswordBody,
        response: { 200: Type.Object({ changed: Type.Boolean() }), 400: ErrorReply, 429: ErrorReply },
      },
      onRequest: requireSignIn,
    },
    async (request) => {
      await accounts.changePassword(currentUser(request), request.body, requestOrigin(request));
      return { changed: true };
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      schema: {
        summary: '申请重置密码：邮箱有账号时发送重置链接；无论邮箱是否注册，答复相同',
        tags: ['accounts'],
        body: PasswordResetBody,
        response: { 202: Type.Object({ accepted: Type.Boolean() }), 429: ErrorReply },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(request.body.email, requestOrigin(request));
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      schema: {
        summary: '用重置链接的 token 设置新密码；该账号的所有登录随之退出',
        tags: ['accounts'],
        body: PasswordResetConfirmBody,
        response: { 200: Type.Object({ reset: Type.Boolean() }), 400: ErrorReply },
      },
    },
    async (request) => {
      await accounts.confirmPasswordReset(request.body, requestOrigin(request));
      return { reset: true };
    },
  );
};

export default accountRoutes;
