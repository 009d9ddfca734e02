import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError } from '../../errors.ts';
import { invalidForm, refusedForm, type FormFailure } from '../../lib/forms.ts';
import { IdParams } from '../../lib/schemas.ts';
import { currentUser, requireRole, requestOrigin } from '../../plugins/auth.ts';
import type { OfferService } from './service.ts';
import type { createSiteOffers } from './site.ts';
import { OFFER_GROUP_LABELS, OFFER_GROUPS, type OfferInput } from './types.ts';

// The pages of the published services: the site's public page (no sign-in), and the catalogue
// of one partnership — its history for the agent and the inspector, and the form its own
// organisation publishes or changes a service with (post, then 303 back or the page again).

const text = (maxLength: number) => Type.String({ maxLength });
const OfferForm = Type.Object({
  service: text(200),
  openingHours: text(500),
  procedure: text(2000),
  listPrice: text(20),
  'prices.modelWorker': text(20),
  'prices.hardship': text(20),
  'prices.unionMember': text(20),
  'prices.allWorkers': text(20),
  placesPerMonth: text(20),
  freePlaces: text(20),
  discountedPlaces: text(20),
});
type OfferFormBody = Static<typeof OfferForm>;
const CatalogueQuery = Type.Object({ edit: Type.Optional(Type.String({ format: 'uuid' })), done: Type.Optional(Type.Literal('saved')) });
const OfferParams = Type.Object({ id: Type.String({ format: 'uuid' }), offerId: Type.String({ format: 'uuid' }) });

/** A blank number field is NaN, which the rules refuse with the field's own message. */
const amount = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));

function inputOfForm(body: OfferFormBody): OfferInput {
  return {
    service: body.service,
    openingHours: body.openingHours,
    procedure: body.procedure,
    listPrice: amount(body.listPrice),
    prices: {
      modelWorker: amount(body['prices.modelWorker']),
      hardship: amount(body['prices.hardship']),
      unionMember: amount(body['prices.unionMember']),
      allWorkers: amount(body['prices.allWorkers']),
    },
    placesPerMonth: amount(body.placesPerMonth),
    freePlaces: amount(body.freePlaces),
    discountedPlaces: amount(body.discountedPlaces),
  };
}

const formValues = (input: OfferInput): Record<string, string> => ({
  service: input.service,
  openingHours: input.openingHours,
  procedure: input.procedure,
  listPrice: input.listPrice.toFixed(2),
  ...Object.fromEntries(OFFER_GROUPS.map((group) => [`prices.${group}`, input.prices[group].toFixed(2)])),
  placesPerMonth: String(input.placesPerMonth),
  freePlaces: String(input.freePlaces),
  discountedPlaces: String(input.discountedPlaces),
});

/** An offer as the pages show it: prices in yuan with 2 decimals, each group named. */
const shown = (input: OfferInput) => ({
  ...input,
  listPrice: input.listPrice.toFixed(2),
  groups: OFFER_GROUPS.map((group) => ({ label: OFFER_GROUP_LABELS[group], price: input.prices[group].toFixed(2), free: input.prices[group] === 0 })),
});

const offerPages: FastifyPluginAsyncTypebox<{ offers: OfferService; sites: ReturnType<typeof createSiteOffers> }> = async (app, { offers, sites }) => {
  app.get('/sites/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const site = await sites.siteOffers(request.params.id);
    return reply.page('offers/site', {
      title: `服务阵地公示：${site.recruitment.title}`,
      site,
      partners: site.partners.map((partner) => ({ ...partner, offers: partner.offers.map((offer) => ({ ...offer, ...shown(offer) })) })),
    });
  });

  async function showCatalogue(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    { edit, done, failure }: { edit?: string; done?: boolean; failure?: FormFailure & { values: Record<string, unknown> } },
  ) {
    const user = currentUser(request);
    const catalogue = await offers.partnershipOffers(id, user);
    const editing = edit ? catalogue.offers.find((offer) => offer.id === edit) : undefined;
    if (edit && !editing) throw new AppError('NOT_FOUND', '服务项目不存在');
    if (failure) reply.code(failure.status);
    return reply.page('offers/catalogue', {
      title: '服务项目与优惠',
      catalogue: {
        ...catalogue,
        offers: catalogue.offers.map((offer, index) => ({
          id: offer.id,
          position: index + 1,
          versions: offer.versions.map((version) => ({ ...version, ...shown(version) })).reverse(),
        })),
      },
      canEdit: catalogue.canEdit,
      done: done ? '已保存。价格或名额的变化已记入操作日志，旧版本保留可查。' : null,
      form: {
        action: editing ? `/partnerships/${id}/offers/${editing.id}` : `/partnerships/${id}/offers`,
        editing: editing ? editing.versions[editing.versions.length - 1]!.service : null,
        values: failure?.values ?? (editing ? formValues(editing.versions[editing.versions.length - 1]!) : {}),
        errors: failure?.errors ?? null,
      },
      groups: OFFER_GROUPS.map((group) => ({ name: `prices.${group}`, label: `${OFFER_GROUP_LABELS[group]}价格（元）` })),
    });
  }

  app.get(
    '/partnerships/:id/offers',
    { schema: { hide: true, params: IdParams, querystring: CatalogueQuery }, onRequest: requireRole('agent', 'inspector', 'bidder') },
    async (request, reply) => showCatalogue(request, reply, request.params.id, { ...(request.query.edit ? { edit: request.query.edit } : {}), done: request.query.done === 'saved' }),
  );

  async function respond(request: FastifyRequest<{ Body: OfferFormBody }>, reply: FastifyReply, id: string, edit: string | undefined, work: (input: OfferInput) => Promise<unknown>) {
    const values: Record<string, unknown> = typeof request.body === 'object' && request.body !== null ? { ...request.body } : {};
    delete values._csrf;
    const failed = (failure: FormFailure) => showCatalogue(request, reply, id, { ...(edit ? { edit } : {}), failure: { ...failure, values } });
    if (request.validationError) return failed(invalidForm(request.validationError.validation));
    try {
      await work(inputOfForm(request.body));
    } catch (error) {
      return failed(refusedForm(error));
    }
    return reply.redirect(`/partnerships/${id}/offers?done=saved`, 303);
  }

  app.post(
    '/partnerships/:id/offers',
    { schema: { hide: true, params: IdParams, body: OfferForm }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, undefined, (input) => offers.publishOffer(request.params.id, input, currentUser(request), requestOrigin(request))),
  );

  app.post(
    '/partnerships/:id/offers/:offerId',
    { schema: { hide: true, params: OfferParams, body: OfferForm }, attachValidation: true, onRequest: requireRole('bidder') },
    async (request, reply) =>
      respond(request, reply, request.params.id, request.params.offerId, (input) =>
        offers.changeOffer(request.params.offerId, input, currentUser(request), requestOrigin(request), request.params.id),
      ),
  );
};

export default offerPages;
