import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { ALERT_STATUS_LABELS, SEVERITY_LABELS } from '../../lib/labels.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import { INDICATORS, indicatorLabel } from './indicators/index.ts';
import { THRESHOLD_REASONS, THRESHOLDS, type ThresholdName } from './indicators/thresholds.ts';
import { AlertQuery, DecisionBody, PartnershipQuery, type AlertFilter } from './schemas.ts';
import type { PartnershipOversight } from './partnerships.ts';
import type { InspectionService } from './service.ts';
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertStatus } from './types.ts';

// The inspector's pages: the desk (/inspector), the alerts with their decisions
// (/inspector/alerts) and the partnerships after the award (/inspector/partnerships). A decision's form carries the list's filter in its address, so the
// inspector comes back to the same list, at the alert just decided.

/** What the button that gives an alert each status says. */
const DECISION_BUTTONS: Record<AlertStatus, string> = { dismissed: '排除', escalated: '上报', open: '重新打开' };

const DONE: Record<AlertStatus, string> = {
  dismissed: '预警已排除，处理说明已记入操作日志。',
  escalated: '预警已上报，处理说明已记入操作日志。',
  open: '预警已重新打开，处理说明已记入操作日志。',
};

const AlertPageQuery = Type.Object({ ...AlertQuery.properties, done: Type.Optional(Type.Enum(ALERT_STATUSES)) });

interface DecisionFailure extends FormFailure {
  alertId: string;
  values: { note?: string };
}

/** `?recruitmentId=…&status=…` of the filter, or '' when there is none. */
function filterQuery({ recruitmentId, status, severity, indicator }: AlertFilter): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ recruitmentId, status, severity, indicator })) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}

const inspectionPages: FastifyPluginAsyncTypebox<{ inspection: InspectionService; partnerships: PartnershipOversight }> = async (app, { inspection, partnerships }) => {
  app.get('/inspector', { schema: { hide: true }, onRequest: requireRole('inspector') }, async (request, reply) => {
    const desk = await inspection.deskOf(currentUser(request));
    return reply.page('inspector/desk', {
      title: '监督工作台',
      ...desk,
      recruitments: desk.recruitments.map((item) => ({
        ...item,
        alertLevels: ALERT_SEVERITIES.map((severity) => ({ severity, label: SEVERITY_LABELS[severity], count: item.openAlerts[severity] })),
        needsYou: item.signOffs.some((signOff) => signOff.byYou) || item.openAlerts.high > 0,
      })),
      otherAlerts: ALERT_SEVERITIES.reduce((sum, severity) => sum + desk.otherOpenAlerts[severity], 0),
    });
  });

  async function showAlerts(request: FastifyRequest, reply: FastifyReply, filter: AlertFilter, { done, failure }: { done?: AlertStatus; failure?: DecisionFailure } = {}) {
    const inspector = currentUser(request);
    const [list, choices] = await Promise.all([inspection.listAlerts(inspector, filter), inspection.recruitmentChoices(inspector)]);
    const query = filterQuery(filter);
    if (failure) reply.code(failure.status);
    return reply.page('inspector/alerts', {
      title: '监督预警',
      filter,
      filterQuery: query,
      done: done ? DONE[done] : null,
      // a refusal about an alert no longer listed (e.g. not seen) is shown at the top
      pageError: failure && !list.some((alert) => alert.id === failure.alertId) ? Object.values(failure.errors).join('；') : null,
      recruitments: choices,
      statuses: ALERT_STATUSES.map((value) => ({ value, label: ALERT_STATUS_LABELS[value] })),
      severities: ALERT_SEVERITIES.map((value) => ({ value, label: SEVERITY_LABELS[value] })),
      indicators: INDICATORS.map(({ id, label, meaning, severity }) => ({ id, label, meaning, severity, severityLabel: SEVERITY_LABELS[severity] })),
      thresholds: (Object.keys(THRESHOLDS) as ThresholdName[]).map((name) => ({ name, value: THRESHOLDS[name], reason: THRESHOLD_REASONS[name] })),
      alerts: list.map((alert) => ({
        ...alert,
        indicatorLabel: indicatorLabel(alert.indicator),
        severityLabel: SEVERITY_LABELS[alert.severity],
        stateLabel: ALERT_STATUS_LABELS[alert.status],
        decisions: ALERT_STATUSES.filter((status) => status !== alert.status).map((status) => ({ status, label: DECISION_BUTTONS[status] })),
        form: failure?.alertId === alert.id ? { values: failure.values, errors: failure.errors } : null,
        // the fragment brings a refused form back into view
        action: `/inspector/alerts/${alert.id}/decision${query}#alert-${alert.id}`,
      })),
    });
  }

  app.get(
    '/inspector/alerts',
    { schema: { hide: true, querystring: AlertPageQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const { done, ...filter } = request.query;
      return showAlerts(request, reply, filter, { done });
    },
  );

  app.post(
    '/inspector/alerts/:id/decision',
    { schema: { hide: true, params: IdParams, querystring: AlertQuery, body: DecisionBody }, attachValidation: true, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const validation = request.validationError;
      if (validation?.validationContext === 'params') throw new AppError('NOT_FOUND', '您访问的页面或资源不存在');
      // Fastify checks the body before the query: a refused body leaves the query unchecked
      const filter: AlertFilter = Value.Check(AlertQuery, request.query) ? request.query : {};
      const alertId = request.params.id;
      const show = (failure: FormFailure) =>
        showAlerts(request, reply, filter, { failure: { ...failure, alertId, values: { note: request.body?.note } } });
      if (validation?.validationContext === 'body') return show(invalidForm(validation.validation));
      try {
        await inspection.decideAlert(alertId, request.body, currentUser(request), requestOrigin(request));
      } catch (error) {
        return show(refusedForm(error));
      }
      const query = filterQuery(filter);
      return reply.redirect(`/inspector/alerts${query ? `${query}&` : '?'}done=${request.body.status}#alert-${alertId}`, 303);
    },
  );

  app.get(
    '/inspector/partnerships',
    { schema: { hide: true, querystring: PartnershipQuery }, onRequest: requireRole('inspector') },
    async (request, reply) => {
      const list = await partnerships.partnershipsOverseen(currentUser(request), request.query);
      return reply.page('inspector/partnerships', {
        title: '合作关系监督',
        partnerships: list.map((item) => ({
          ...item,
          satisfiedPercent: item.satisfaction.satisfiedShare === null ? null : Math.round(item.satisfaction.satisfiedShare * 1000) / 10,
          alerts: item.alerts.map((alert) => ({ ...alert, label: indicatorLabel(alert.indicator), severityLabel: SEVERITY_LABELS[alert.severity] })),
        })),
      });
    },
  );
};

export default inspectionPages;
