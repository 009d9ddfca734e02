import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Role } from '../../db/schema.ts';
import { ROLE_DESKS, ROLE_LABELS } from '../../lib/labels.ts';
import { invalidForm, refusedForm, safeNext, type FormFailure } from '../../lib/forms.ts';
import { IdParams, OneLine } from '../../lib/schemas.ts';
import { currentUser, requireRole, requireSignIn, SESSION_COOKIE, requestOrigin } from '../../plugins/auth.ts';
import { Email, Password, RegisterOrganizationBody, StaffRole } from './schemas.ts';
import type { AccountService } from './service.ts';
import type { EscrowService } from '../opening/escrow.ts';

const LoginForm = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 256 }),
  next: Type.Optional(Type.String({ maxLength: 500 })),
});

const StaffForm = Type.Object({
  email: Email,
  name: OneLine({ minLength: 1, maxLength: 100 }),
  role: StaffRole,
  password: Password,
  specialties: Type.Optional(OneLine({ maxLength: 500 })),
  affiliationUscc: Type.Optional(OneLine({ maxLength: 30 })),
});

const ExpertForm = Type.Object({
  email: Email,
  name: OneLine({ minLength: 1, maxLength: 100 }),
  password: Password,
  specialties: OneLine({ minLength: 1, maxLength: 500 }),
  affiliationUscc: Type.Optional(OneLine({ maxLength: 30 })),
});

const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });

const ChangePasswordForm = Type.Object({
  oldPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Password,
  confirmation: Type.String({ maxLength: 256 }),
});

const ResetConfirmForm = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  newPassword: Password,
  confirmation: Type.String({ maxLength: 256 }),
});

const mismatch: FormFailure = { status: 400, errors: { confirmation: '两次输入的新密码不一致' } };

const splitSpecialties = (value: string | undefined) => value?.split(/[,，、\s]+/).filter(Boolean);

const STAFF_ROLES = (['agent', 'inspector', 'expert', 'admin'] as const).map((value) => ({
  value,
  label: ROLE_LABELS[value],
}));

/** What a failed form shows again: everything typed except passwords. */
function typedValues(body: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = typeof body === 'object' && body !== null ? { ...body } : {};
  for (const secret of ['password', 'oldPassword', 'newPassword', 'confirmation']) delete values[secret];
  delete values._csrf;
  return values;
}

/** The escrow form sends '' for "none". */
const EscrowForm = Type.Object({ userId: Type.Union([Type.Literal(''), Type.String({ format: 'uuid' })]) });

export interface AccountPageOptions {
  accounts: AccountService;
  escrow: EscrowService;
  /** the portal is served over https (PUBLIC_URL): the session cookie is then sent over https only */
  secureCookies: boolean;
}

const accountPages: FastifyPluginAsyncTypebox<AccountPageOptions> = async (app, { accounts, escrow, secureCookies }) => {
  /** The user list with the escrow holder's form: what /admin shows, fresh or after a refused form. */
  async function adminPage(extra: Record<string, unknown> = {}) {
    const [userList, escrowHolder, escrowCandidates] = await Promise.all([accounts.listUsers(), escrow.designatedHolder(), escrow.candidates()]);
    return { title: '用户管理', users: userList, roles: STAFF_ROLES, values: { role: 'agent' }, escrowHolder, escrowCandidates, ...extra };
  }

  async function startPageSession(
    request: FastifyRequest,
    reply: FastifyReply,
    credentials: { email: string; password: string },
  ) {
    const session = await accounts.signIn(
      credentials,
      'page',
      requestOrigin(request),
      request.cookies[SESSION_COOKIE],
    );
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      expires: session.expiresAt,
    });
    return session.user;
  }

  app.get(
    '/login',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })), reset: Type.Optional(Type.String({ maxLength: 5 })) }),
      },
    },
    async (request, reply) =>
      reply.page('accounts/login', { title: '登录', values: { next: request.query.next }, reset: request.query.reset === '1' }),
  );

  app.post('/login', { schema: { hide: true, body: LoginForm }, attachValidation: true }, async (request, reply) => {
    const show = ({ status, errors }: FormFailure) =>
      reply.code(status).page('accounts/login', { title: '登录', values: typedValues(request.body), errors });
    if (request.validationError) return show(invalidForm(request.validationError.validation));
    let role: Role;
    try {
      ({ role } = await startPageSession(request, reply, request.body));
    } catch (error) {
      return show(refusedForm(error));
    }
    // the page asked for, or else the role's desk
    return reply.redirect(safeNext(request.body.next, ROLE_DESKS[role]), 303);
  });

  app.post('/logout', { schema: { hide: true } }, async (request, reply) => {
    if (request.sessionToken) await accounts.signOut(request.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  app.get('/register', { schema: { hide: true } }, async (_request, reply) =>
    reply.page('accounts/register', { title: '社会组织注册', values: { type: '社会组织' } }),
  );

  app.post(
    '/register',
    { schema: { hide: true, body: RegisterOrganizationBody }, attachValidation: true },
    async (request, reply) => {
      const show = ({ status, errors }: FormFailure) =>
        reply.code(status).page('accounts/register', { title: '社会组织注册', values: typedValues(request.body), errors });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await accounts.registerOrganization(request.body, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      await startPageSession(request, reply, request.body);
      return reply.redirect('/?registered=1', 303);
    },
  );

  // The link mailed at registration opens this page; the address is verified only by its form
  // (a POST with the CSRF token), never by the GET a mail scanner may follow.
  app.get('/verify-email', { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    reply.page('accounts/verify-email', { title: '验证电子邮箱', token: request.query.token ?? '' }),
  );

  app.post(
    '/verify-email',
    { schema: { hide: true, body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }) }, attachValidation: true },
    async (request, reply) => {
      const show = ({ status, errors }: FormFailure) =>
        reply.code(status).page('accounts/verify-email', { title: '验证电子邮箱', errors: { _: errors.token ?? errors._ ?? '链接无效' } });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await accounts.verifyEmail(request.body.token, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.page('accounts/verify-email', { title: '验证电子邮箱', verified: true });
    },
  );

  app.get(
    '/me/password',
    { schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 5 })) }) }, onRequest: requireSignIn },
    async (request, reply) => reply.page('accounts/password', { title: '修改密码', done: request.query.done === '1' }),
  );

  app.post(
    '/me/password',
    { schema: { hide: true, body: ChangePasswordForm }, attachValidation: true, onRequest: requireSignIn },
    async (request, reply) => {
      const show = ({ status, errors }: FormFailure) => reply.code(status).page('accounts/password', { title: '修改密码', errors });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      if (request.body.confirmation !== request.body.newPassword) return show(mismatch);
      try {
        await accounts.changePassword(currentUser(request), request.body, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/me/password?done=1', 303);
    },
  );

  app.get(
    '/password-reset',
    { schema: { hide: true, querystring: Type.Object({ sent: Type.Optional(Type.String({ maxLength: 5 })) }) } },
    async (request, reply) => reply.page('accounts/password-reset', { title: '找回密码', sent: request.query.sent === '1' }),
  );

  app.post(
    '/password-reset',
    { schema: { hide: true, body: Type.Object({ email: Email }) }, attachValidation: true },
    async (request, reply) => {
      const show = ({ status, errors }: FormFailure) =>
        reply.code(status).page('accounts/password-reset', { title: '找回密码', values: typedValues(request.body), errors });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await accounts.requestPasswordReset(request.body.email, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/password-reset?sent=1', 303);
    },
  );

  app.get('/password-reset/confirm', { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    reply.page('accounts/password-reset-confirm', { title: '设置新密码', token: request.query.token ?? '' }),
  );

  app.post(
    '/password-reset/confirm',
    { schema: { hide: true, body: ResetConfirmForm }, attachValidation: true },
    async (request, reply) => {
      const token = typeof request.body === 'object' && request.body !== null && 'token' in request.body ? String(request.body.token) : '';
      const show = ({ status, errors }: FormFailure) =>
        reply.code(status).page('accounts/password-reset-confirm', { title: '设置新密码', token, errors: errors.token ? { ...errors, _: errors.token } : errors });
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      if (request.body.confirmation !== request.body.newPassword) return show(mismatch);
      try {
        await accounts.confirmPasswordReset(request.body, requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/login?reset=1', 303);
    },
  );

  app.get(
    '/admin',
    { schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) }, onRequest: requireRole('admin') },
    async (request, reply) =>
      reply.page('admin/users', await adminPage({ done: request.query.done })),
  );

  app.post(
    '/admin/escrow-holder',
    { schema: { hide: true, body: EscrowForm }, attachValidation: true, onRequest: requireRole('admin') },
    async (request, reply) => {
      const show = async ({ status, errors }: FormFailure) => reply.code(status).page('admin/users', await adminPage({ escrowErrors: errors }));
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      try {
        await escrow.designateEscrowHolder(request.body.userId || null, currentUser(request), requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/admin?done=escrow', 303);
    },
  );

  app.post(
    '/admin/users',
    { schema: { hide: true, body: StaffForm }, attachValidation: true, onRequest: requireRole('admin') },
    async (request, reply) => {
      const show = async ({ status, errors }: FormFailure) =>
        reply.code(status).page('admin/users', await adminPage({ values: typedValues(request.body), errors }));
      if (request.validationError) return show(invalidForm(request.validationError.validation));
      const { specialties, ...rest } = request.body;
      try {
        await accounts.createUser(
          { ...rest, specialties: splitSpecialties(specialties) },
          request.user,
          requestOrigin(request),
        );
      } catch (error) {
        return show(refusedForm(error));
      }
      return reply.redirect('/admin?created=1', 303);
    },
  );

  // The expert pool (专家库): who may be drawn for a panel. Only active experts are drawn.
  async function showExperts(reply: FastifyReply, failure?: FormFailure & { values: Record<string, unknown> }) {
    if (failure) reply.code(failure.status);
    return reply.page('admin/experts', {
      title: '专家库',
      experts: await accounts.listUsers('expert'),
      values: failure?.values ?? {},
      errors: failure?.errors,
    });
  }

  app.get(
    '/admin/experts',
    { schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) }, onRequest: requireRole('admin') },
    async (_request, reply) => showExperts(reply),
  );

  app.post(
    '/admin/experts',
    { schema: { hide: true, body: ExpertForm }, attachValidation: true, onRequest: requireRole('admin') },
    async (request, reply) => {
      const values = typedValues(request.body);
      if (request.validationError) return showExperts(reply, { ...invalidForm(request.validationError.validation), values });
      try {
        await accounts.createUser(
          { ...request.body, role: 'expert', specialties: splitSpecialties(request.body.specialties) },
          request.user,
          requestOrigin(request),
        );
      } catch (error) {
        return showExperts(reply, { ...refusedForm(error), values });
      }
      return reply.redirect('/admin/experts?done=created', 303);
    },
  );

  /** Runs an administrator's action on one account; a refusal shows the user list again with why. */
  async function onUser(request: FastifyRequest, reply: FastifyReply, act: () => Promise<unknown>, done: string) {
    try {
      await act();
    } catch (error) {
      const { status, errors } = refusedForm(error);
      return reply.code(status).page('admin/users', await adminPage({ userErrors: errors }));
    }
    return reply.redirect(done, 303);
  }

  app.post(
    '/admin/users/:id/active',
    { schema: { hide: true, params: IdParams, body: Type.Object({ active: Type.Enum(['0', '1']), back: Type.Optional(Type.Enum(['experts'])) }) }, onRequest: requireRole('admin') },
    async (request, reply) =>
      onUser(
        request,
        reply,
        () => accounts.setUserActive(request.params.id, request.body.active === '1', currentUser(request), requestOrigin(request)),
        request.body.back === 'experts' ? '/admin/experts?done=updated' : '/admin?done=active#users',
      ),
  );

  app.post(
    '/admin/users/:id/password-reset',
    { schema: { hide: true, params: IdParams }, onRequest: requireRole('admin') },
    async (request, reply) =>
      onUser(request, reply, () => accounts.sendPasswordReset(request.params.id, currentUser(request), requestOrigin(request)), '/admin?done=reset#users'),
  );

  app.post(
    '/admin/users/:id/supervises-all',
    { schema: { hide: true, params: IdParams, body: Type.Object({ supervisesAll: Type.Enum(['0', '1']) }) }, onRequest: requireRole('admin') },
    async (request, reply) => {
      await accounts.setSupervisesAll(request.params.id, request.body.supervisesAll === '1', currentUser(request), requestOrigin(request));
      return reply.redirect('/admin?done=supervision#users', 303);
    },
  );
};

export default accountPages;
