import { TRACKED_FIELD_LABELS, TRACKED_FIELDS, type TrackedField } from '../offers/types.ts';
import type { Describer, Details, Line } from './describe-words.ts';

// The published services' audit entries in words (issue 17): which service, which version, each
// price or number of places that changed, and the catalogue's share beside the bid's.

const unit = (field: TrackedField) => (field === 'placesPerMonth' || field === 'freePlaces' || field === 'discountedPlaces' ? ' 个' : ' 元');

const shareLine = (d: Details): Line => {
  const share = d.num('share');
  const bid = d.num('bidShare');
  return `服务目录公益名额比例 ${share === undefined ? '—' : `${share}%`}（响应文件承诺 ${bid === undefined ? '—' : `${bid}%`}）`;
};

const header = (d: Details): Line => {
  const service = d.str('service');
  const version = d.num('version');
  d.skip('offerId');
  return service && `服务项目“${service}”${version === undefined ? '' : `第 ${version} 版`}`;
};

export const OFFER_DESCRIBERS: Record<string, Describer> = {
  'offer.publish': (d) => [header(d), shareLine(d)],
  'offer.change': (d) => {
    const changes = d.record('changes');
    const lines: Line[] = TRACKED_FIELDS.map((field) => {
      const pair = changes?.list(field);
      return pair?.length === 2 && `${TRACKED_FIELD_LABELS[field]}：${String(pair[0])}${unit(field)} → ${String(pair[1])}${unit(field)}`;
    });
    return [header(d), ...lines, shareLine(d)];
  },
};
