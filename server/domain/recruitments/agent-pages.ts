import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors.ts';
import { beijingLocalToIso, DATETIME_LOCAL, toBeijingLocal } from '../../lib/datetime.ts';
import { blankOr, IdParams } from '../../lib/schemas.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { AccountService, SignedInUser } from '../accounts/service.ts';
import { DEFAULT_ELIGIBILITY, derivedQuestionsDeadline, questionsDeadlineDerived, RULES } from './rules.ts';
import { AmendmentBody, CreateRecruitmentBody, PublicationBody, ReasonBody, TextBody, type CreateRecruitmentInput } from './schemas.ts';
import type { RecruitmentService } from './service.ts';
import { allowedActions } from './state.ts';
import { PUBLICATION_CHANNELS, type Recruitment } from './types.ts';

// The agent's work pages: own recruitments, the draft form, and the manage page whose forms
// publish, amend, answer and cancel. Every page works without JavaScript; every rule is the
// service's, and a refused form comes back with the message beside the field it concerns.

// ---- form schemas: the API's limits, with times as a datetime-local input sends them --------

const LocalTime = Type.String({ pattern: DATETIME_LOCAL.source });
/** an input left empty arrives as '' and means "not given" */
const OptionalLocalTime = blankOr(LocalTime);
const Uuid = Type.String({ format: 'uuid' });

const ROW_GROUPS = {
  lot: { field: 'lots', blank: { key: '', name: '', quota: 1, description: '' } },
  condition: { field: 'eligibility', blank: { key: '', text: '' } },
  criterion: { field: 'criteria', blank: { key: '', name: '', maxScore: '', description: '' } },
} as const;
type RowGroup = keyof typeof ROW_GROUPS;
type RowField = (typeof ROW_GROUPS)[RowGroup]['field'];

/** A row button: add a blank row to a group, or remove row n from it. */
const ROW_OP = /^(add|remove)-(lot|condition|criterion)(?::(\d{1,3}))?$/;
/** `save`, or one of the row buttons */
const DraftOp = Type.String({ pattern: '^(save|add-(lot|condition|criterion)|remove-(lot|condition|criterion):\\d{1,3})$' });

// Every field is required: a form always sends them all, and a group whose rows were all
// removed must be refused, not silently replaced by the API's defaults.
const DraftFormBody = Type.Object({
  ...Type.Required(Type.Omit(CreateRecruitmentBody, ['questionsDeadline', 'submissionDeadline'])).properties,
  submissionDeadline: LocalTime,
  questionsDeadline: OptionalLocalTime,
  op: DraftOp,
});
type DraftForm = Static<typeof DraftFormBody>;

// no escrow holder: an administrator designates it (SPEC §4.1)
const PublishForm = Type.Object({ inspectorId: Type.String({ minLength: 1, format: 'uuid' }) });

const PublicationForm = Type.Object({
  ...Type.Omit(PublicationBody, ['url']).properties,
  url: Type.Optional(blankOr(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 1000 }))),
});

const AmendmentForm = Type.Object({
  ...Type.Pick(AmendmentBody, ['title', 'body']).properties,
  submissionDeadline: OptionalLocalTime,
  questionsDeadline: OptionalLocalTime,
  // an unticked checkbox sends nothing at all
  affectsPreparation: Type.Boolean({ default: false }),
});

/** The recruitment travels along so that a refused answer can show its page again. */
const AnswerForm = Type.Object({ ...TextBody.properties, recruitmentId: Uuid });
const QuestionParams = Type.Object({ questionId: Uuid });

const DONE_ACTIONS = ['create', 'update', 'publish', 'publication', 'amendment', 'answer', 'cancel'] as const;
type DoneAction = (typeof DONE_ACTIONS)[number];
const DONE_NOTICES: Record<DoneAction, string> = {
  create: '草稿已保存。发布前请核对招募要点，并指定纪检监督员。',
  update: '草稿已更新。',
  publish: '招募公告已发布。',
  publication: '发布渠道已登记。',
  amendment: '更正/澄清公告已发布，已通知关注该项目的单位。',
  answer: '答复已公开发布（不显示提问单位）。',
  cancel: '招募项目已终止，待纪检监督员会签。',
};
const ManageQuery = Type.Object({ done: Type.Optional(Type.Enum(DONE_ACTIONS)) });

type ManageForm = Extract<DoneAction, 'publish' | 'publication' | 'amendment' | 'answer' | 'cancel'>;

// ---- the draft form: rows added and removed by submit buttons -------------------------------

type FormRow = Record<string, unknown>;
/** What the draft form shows: any field as typed, and the three row groups as lists. */
type DraftValues = Record<string, unknown> & Record<RowField, FormRow[]>;

/** The five-criterion rubric of the model case (SPEC §8), summing to 100. */
const MODEL_RUBRIC: FormRow[] = [
  { key: 'plan', name: '公益服务方案', maxScore: 30, description: '服务内容、公益活动安排与职工参与方式的完整性和可行性' },
  { key: 'ability', name: '资质与专业能力', maxScore: 20, description: '相关资质、专业团队与运营能力' },
  { key: 'record', name: '业绩与信誉', maxScore: 20, description: '同类项目业绩、履约评价与信用记录' },
  { key: 'share', name: '免费/优惠名额比例', maxScore: 15, description: '承诺的公益（免费/优惠）名额比例' },
  { key: 'revenue', name: '合作与收益方案', maxScore: 15, description: '投资来源、预期收益、收益分配、风险评估与退出机制' },
];

const NEW_DRAFT: DraftValues = {
  lots: [{ ...ROW_GROUPS.lot.blank }],
  eligibility: DEFAULT_ELIGIBILITY.map((condition) => ({ ...condition })),
  criteria: MODEL_RUBRIC,
  minPublicBenefitRatio: RULES.defaultMinPublicBenefitRatio,
  publicityDays: RULES.minPublicityDays,
};

function draftValues(draft: Recruitment): DraftValues {
  return {
    title: draft.title,
    summary: draft.summary,
    body: draft.body,
    owner: draft.owner,
    decisionRef: draft.decisionRef ?? '',
    lots: draft.lots.map((lot) => ({ ...lot })),
    eligibility: draft.eligibility.map((condition) => ({ ...condition })),
    criteria: draft.criteria.map((criterion) => ({ ...criterion })),
    minPublicBenefitRatio: draft.minPublicBenefitRatio,
    agreementTermMonths: draft.agreementTermMonths,
    publicityDays: draft.publicityDays,
    submissionDeadline: toBeijingLocal(draft.submissionDeadline),
    // A derived questions deadline shows blank, as the agent left it, and stays derived when saved.
    questionsDeadline: questionsDeadlineDerived(draft) ? '' : toBeijingLocal(draft.questionsDeadline),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const rowsOf = (value: unknown): FormRow[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** Everything a posted form carried, to show again; the schema has already coerced what it could. */
function typedValues(body: unknown): Record<string, unknown> {
  const values = isRecord(body) ? { ...body } : {};
  delete values._csrf;
  delete values.op;
  return values;
}

function typedDraft(body: unknown): DraftValues {
  const values = typedValues(body);
  return { ...values, lots: rowsOf(values.lots), eligibility: rowsOf(values.eligibility), criteria: rowsOf(values.criteria) };
}

const isRowGroup = (name: string | undefined): name is RowGroup => name !== undefined && Object.hasOwn(ROW_GROUPS, name);

interface RowOp {
  group: RowGroup;
  /** the row to remove; null adds a blank row */
  remove: number | null;
}

function parseRowOp(op: unknown): RowOp | null {
  const match = typeof op === 'string' ? ROW_OP.exec(op) : null;
  if (!match || !isRowGroup(match[2])) return null;
  return { group: match[2], remove: match[1] === 'remove' ? Number(match[3]) : null };
}

function applyRowOp(values: DraftValues, { group, remove }: RowOp): DraftValues {
  const { field, blank } = ROW_GROUPS[group];
  const rows = values[field];
  const changed = remove === null ? [...rows, { ...blank }] : rows.filter((_, index) => index !== remove);
  return { ...values, [field]: changed };
}

/** Ajv has already turned every well-formed score into a number; a malformed one counts as nothing yet. */
const criteriaTotal = (rows: FormRow[]) =>
  rows.reduce((sum, { maxScore }) => (typeof maxScore === 'number' ? sum + maxScore : sum), 0);

function instant(local: string, field: string): string {
  const iso = beijingLocalToIso(local);
  if (!iso) throw new AppError('VALIDATION_FAILED', '没有这个日期或时间', field);
  return iso;
}

const optionalInstant = (local: string, field: string) => (local ? instant(local, field) : undefined);

/** The service's input from a valid draft form: every field, with Beijing times as instants. */
function toDraftInput(form: DraftForm): Required<CreateRecruitmentInput> {
  const submissionDeadline = instant(form.submissionDeadline, 'submissionDeadline');
  return {
    title: form.title,
    summary: form.summary,
    body: form.body,
    owner: form.owner,
    decisionRef: form.decisionRef,
    lots: form.lots,
    eligibility: form.eligibility,
    criteria: form.criteria,
    minPublicBenefitRatio: form.minPublicBenefitRatio,
    agreementTermMonths: form.agreementTermMonths,
    publicityDays: form.publicityDays,
    submissionDeadline,
    // Left empty, the questions deadline is derived from the submission deadline. It is stated
    // here because updateDraft keeps a questions deadline the agent typed before.
    questionsDeadline:
      optionalInstant(form.questionsDeadline, 'questionsDeadline') ?? derivedQuestionsDeadline(new Date(submissionDeadline)).toISOString(),
  };
}

interface DraftFormPage {
  title: string;
  action: string;
  back: string;
  done: Extract<DoneAction, 'create' | 'update'>;
}

const NEW_DRAFT_PAGE: DraftFormPage = {
  title: '新建招募项目',
  action: '/agent/recruitments/new',
  back: '/agent',
  done: 'create',
};

const editDraftPage = (draft: Recruitment): DraftFormPage => ({
  title: `修改草稿：${draft.title}`,
  action: `/agent/recruitments/${draft.id}/edit`,
  back: `/agent/recruitments/${draft.id}`,
  done: 'update',
});

function showDraftForm(reply: FastifyReply, page: DraftFormPage, values: DraftValues, failure?: FormFailure) {
  const total = criteriaTotal(values.criteria);
  return reply.code(failure?.status ?? 200).page('agent/draft-form', {
    ...page,
    values,
    errors: failure?.errors,
    criteriaTotal: total,
    criteriaTotalOk: total === RULES.criteriaTotal,
  });
}

/**
 * A row button shows the form again with the row added or removed, checking and saving nothing;
 * `save` validates, saves and goes to the manage page (post-redirect-get).
 */
async function submitDraft(
  reply: FastifyReply,
  page: DraftFormPage,
  body: DraftForm,
  validationError: FastifyRequest['validationError'],
  save: (input: Required<CreateRecruitmentInput>) => Promise<Recruitment>,
) {
  const values = typedDraft(body);
  const rowOp = parseRowOp(body.op);
  if (rowOp) return showDraftForm(reply, page, applyRowOp(values, rowOp));
  if (validationError) return showDraftForm(reply, page, values, invalidForm(validationError.validation));
  let saved: Recruitment;
  try {
    saved = await save(toDraftInput(body));
  } catch (error) {
    return showDraftForm(reply, page, values, refusedForm(error));
  }
  return reply.redirect(`/agent/recruitments/${saved.id}?done=${page.done}`, 303);
}

// ---- the plugin ---------------------------------------------------------------------------

/** what a malformed id in a path or form names: nothing, as an unknown id would */
const notFound = () => new AppError('NOT_FOUND', '您访问的页面或资源不存在');
const given = (value: string | undefined) => value || undefined;

/** A form whose target is malformed answers 404; any other schema error is shown beside its field. */
function formFailure(error: NonNullable<FastifyRequest['validationError']>): FormFailure {
  if (error.validationContext === 'params') throw notFound();
  const failure = invalidForm(error.validation);
  if (failure.errors.recruitmentId) throw notFound();
  return failure;
}

interface Attempt {
  form: ManageForm;
  values: Record<string, unknown>;
  failure: FormFailure;
  questionId?: string;
}

/** What each manage form shows before anything was typed. */
const FRESH_VALUES: Record<ManageForm, Record<string, unknown>> = {
  publish: {},
  publication: { channel: 'trading_platform' },
  amendment: { affectsPreparation: true },
  answer: {},
  cancel: {},
};

const agentPages: FastifyPluginAsyncTypebox<{ recruitments: RecruitmentService; accounts: AccountService }> = async (
  app,
  { recruitments, accounts },
) => {
  const agentOnly = requireRole('agent');

  /** A recruitment this agent runs; another agent's published one is public, but not theirs to manage. */
  async function ownRecruitment(id: string, agent: SignedInUser): Promise<Recruitment> {
    const recruitment = await recruitments.getRecruitment(id, agent);
    if (recruitment.agentId !== agent.id) throw new AppError('FORBIDDEN', '只有该招募项目的经办人可以管理此项目');
    return recruitment;
  }

  async function editableDraft(id: string, agent: SignedInUser): Promise<Recruitment> {
    const recruitment = await ownRecruitment(id, agent);
    if (recruitment.status !== 'draft') throw new AppError('NOT_DRAFT', '只有草稿可以修改；已发布的招募请发布更正公告');
    return recruitment;
  }

  /** The manage page, with a notice after a success or one form's values and messages after a refusal. */
  async function showManagePage(
    reply: FastifyReply,
    id: string,
    agent: SignedInUser,
    { done, attempt }: { done?: DoneAction; attempt?: Attempt } = {},
  ) {
    const recruitment = await ownRecruitment(id, agent);
    const draft = recruitment.status === 'draft';
    const [questions, users] = await Promise.all([recruitments.listQuestions(id, agent), draft ? accounts.listUsers() : []]);
    const actions = allowedActions(recruitment.status, 'agent');
    const form = (name: ManageForm, questionId?: string) =>
      attempt?.form === name && attempt.questionId === questionId
        ? { values: attempt.values, errors: attempt.failure.errors }
        : { values: FRESH_VALUES[name] };
    return reply.code(attempt?.failure.status ?? 200).page('agent/manage', {
      title: recruitment.title,
      recruitment,
      notice: done && DONE_NOTICES[done],
      refused: attempt !== undefined,
      can: {
        edit: draft,
        publish: actions.includes('publish'),
        // other channels carry the announcement, so there must have been one
        addPublication: recruitment.publishedAt !== null,
        amend: recruitment.status === 'published',
        cancel: actions.includes('cancel'),
      },
      inspectors: users.filter((user) => user.active && user.role === 'inspector'),
      channels: PUBLICATION_CHANNELS,
      forms: {
        publish: form('publish'),
        publication: form('publication'),
        amendment: form('amendment'),
        cancel: form('cancel'),
      },
      questions: questions.map((question) => ({ ...question, form: form('answer', question.id) })),
    });
  }

  /**
   * Runs one form of the manage page: on success back to the page with a notice
   * (post-redirect-get), otherwise the page again with the form's status and messages.
   */
  async function submitManageForm(
    request: FastifyRequest,
    reply: FastifyReply,
    { form, recruitmentId, questionId }: { form: ManageForm; recruitmentId: string; questionId?: string },
    action: (agent: SignedInUser) => Promise<unknown>,
  ) {
    const agent = currentUser(request);
    const retry = (failure: FormFailure) =>
      showManagePage(reply, recruitmentId, agent, { attempt: { form, values: typedValues(request.body), failure, questionId } });
    if (request.validationError) return retry(formFailure(request.validationError));
    try {
      await action(agent);
    } catch (error) {
      return retry(refusedForm(error));
    }
    return reply.redirect(`/agent/recruitments/${recruitmentId}?done=${form}`, 303);
  }

  app.get('/agent', { schema: { hide: true }, onRequest: agentOnly }, async (request, reply) => {
    const agent = currentUser(request);
    const own = (await recruitments.listRecruitments({}, agent)).filter((recruitment) => recruitment.agentId === agent.id);
    return reply.page('agent/index', { title: '我的招募项目', recruitments: own });
  });

  app.get('/agent/recruitments/new', { schema: { hide: true }, onRequest: agentOnly }, async (_request, reply) =>
    showDraftForm(reply, NEW_DRAFT_PAGE, NEW_DRAFT),
  );

  app.post(
    '/agent/recruitments/new',
    { schema: { hide: true, body: DraftFormBody }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) =>
      submitDraft(reply, NEW_DRAFT_PAGE, request.body, request.validationError, (input) =>
        recruitments.createDraft(input, currentUser(request), requestOrigin(request)),
      ),
  );

  app.get(
    '/agent/recruitments/:id/edit',
    { schema: { hide: true, params: IdParams }, onRequest: agentOnly },
    async (request, reply) => {
      const draft = await editableDraft(request.params.id, currentUser(request));
      return showDraftForm(reply, editDraftPage(draft), draftValues(draft));
    },
  );

  app.post(
    '/agent/recruitments/:id/edit',
    { schema: { hide: true, params: IdParams, body: DraftFormBody }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) => {
      if (request.validationError?.validationContext === 'params') throw notFound();
      const agent = currentUser(request);
      const draft = await editableDraft(request.params.id, agent);
      return submitDraft(reply, editDraftPage(draft), request.body, request.validationError, (input) =>
        recruitments.updateDraft(draft.id, input, agent, requestOrigin(request)),
      );
    },
  );

  app.get(
    '/agent/recruitments/:id',
    { schema: { hide: true, params: IdParams, querystring: ManageQuery }, onRequest: agentOnly },
    async (request, reply) =>
      showManagePage(reply, request.params.id, currentUser(request), { done: request.query.done }),
  );

  app.post(
    '/agent/recruitments/:id/publish',
    { schema: { hide: true, params: IdParams, body: PublishForm }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) =>
      submitManageForm(request, reply, { form: 'publish', recruitmentId: request.params.id }, (agent) =>
        recruitments.publish(
          request.params.id,
          { inspectorId: request.body.inspectorId },
          agent,
          requestOrigin(request),
        ),
      ),
  );

  app.post(
    '/agent/recruitments/:id/publications',
    { schema: { hide: true, params: IdParams, body: PublicationForm }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) =>
      submitManageForm(request, reply, { form: 'publication', recruitmentId: request.params.id }, (agent) =>
        recruitments.addPublication(
          request.params.id,
          { ...request.body, url: given(request.body.url) },
          agent,
          requestOrigin(request),
        ),
      ),
  );

  app.post(
    '/agent/recruitments/:id/amendments',
    { schema: { hide: true, params: IdParams, body: AmendmentForm }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) =>
      submitManageForm(request, reply, { form: 'amendment', recruitmentId: request.params.id }, (agent) => {
        const { title, body, submissionDeadline, questionsDeadline, affectsPreparation } = request.body;
        return recruitments.amend(
          request.params.id,
          {
            title,
            body,
            affectsPreparation,
            submissionDeadline: optionalInstant(submissionDeadline, 'submissionDeadline'),
            questionsDeadline: optionalInstant(questionsDeadline, 'questionsDeadline'),
          },
          agent,
          requestOrigin(request),
        );
      }),
  );

  app.post(
    '/agent/questions/:questionId/answer',
    { schema: { hide: true, params: QuestionParams, body: AnswerForm }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) => {
      const { questionId } = request.params;
      return submitManageForm(
        request,
        reply,
        { form: 'answer', recruitmentId: request.body.recruitmentId, questionId },
        (agent) => recruitments.answerQuestion(questionId, request.body.text, agent, requestOrigin(request)),
      );
    },
  );

  app.post(
    '/agent/recruitments/:id/cancel',
    { schema: { hide: true, params: IdParams, body: ReasonBody }, attachValidation: true, onRequest: agentOnly },
    async (request, reply) =>
      submitManageForm(request, reply, { form: 'cancel', recruitmentId: request.params.id }, (agent) =>
        recruitments.cancelRecruitment(request.params.id, request.body.reason, agent, requestOrigin(request)),
      ),
  );
};

export default agentPages;
