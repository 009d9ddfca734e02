import { OFFER_GROUP_LABELS, type OfferGroup } from '../offers/types.ts';
import { PLACE_KIND_LABELS, type PlaceKind } from '../satisfaction/types.ts';
import type { Describer } from './describe-words.ts';

// Worker satisfaction's audit entries in words (issue 17): a proof-of-use code issued is a service
// delivered — which service, to which group, on which kind of place. The code itself is never logged.

export const SATISFACTION_DESCRIBERS: Record<string, Describer> = {
  'service_use.issue': (d) => {
    d.skip('serviceUseId', 'offerId');
    const service = d.str('service');
    const group = d.str('group');
    const place = d.str('place');
    return [
      service && `服务项目“${service}”`,
      group && `服务对象：${OFFER_GROUP_LABELS[group as OfferGroup] ?? group}`,
      place && `名额类型：${PLACE_KIND_LABELS[place as PlaceKind] ?? place}`,
    ];
  },
};
