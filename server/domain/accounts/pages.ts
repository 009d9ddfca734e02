import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ROLE_LABELS } from '../../lib/labels.ts';
import { invalidForm, refusedForm, safeNext, type FormFailure } from '../../lib/forms.ts';
import { IdParams, OneLine } from '../../lib/schemas.ts';
import { currentUser, requireRole, SESSION_COOKIE, requestOrigin } from '../../plugins/auth.ts';
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

const splitSpecialties = (value: string | undefined) => value?.split(/[,，、\s]+/).filter(Boolean);

const STAFF_ROLES = (['agent', 'inspector', 'expert', 'admin'] as const).map((value) => ({
  value,
  label: ROLE_LABELS[value],
}));

/** What a failed form shows again: everything typed except passwords. */
function typedValues(body: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = typeof body === 'object' && body !== null ? { ...body } : {};
  delete values.password;
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
  }

  app.get(
    '/login',
    { schema: { hide: true, querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }) } },
    async (request, reply) => reply.page('accounts/login', { title: '登录', values: { next: request.query.next } }),
  );

  app.post('/login', { schema: { hide: true, body: LoginForm }, attachValidation: true }, async (request, reply) => {
    const show = ({ status, errors }: FormFailure) =>
      reply.code(status).page('accounts/login', { title: '登录', values: typedValues(request.body), errors });
    if (request.validationError) return show(invalidForm(request.validationError.validation));
    try {
      await startPageSession(request, reply, request.body);
    } catch (error) {
      return show(refusedForm(error));
    }
    return reply.redirect(safeNext(request.body.next), 303);
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

  app.get(
    '/admin',
    { schema: { hide: true, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) }) }, onRequest: requireRole('admin') },
    async (request, reply) => reply.page('admin/users', await adminPage({ escrowSaved: request.query.done === 'escrow' })),
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

  app.post(
    '/admin/users/:id/active',
    { schema: { hide: true, params: IdParams, body: Type.Object({ active: Type.Enum(['0', '1']), back: Type.Optional(Type.Enum(['experts'])) }) }, onRequest: requireRole('admin') },
    async (request, reply) => {
      await accounts.setUserActive(request.params.id, request.body.active === '1', currentUser(request), requestOrigin(request));
      return reply.redirect(request.body.back === 'experts' ? '/admin/experts?done=updated' : '/admin', 303);
    },
  );
};

export default accountPages;
