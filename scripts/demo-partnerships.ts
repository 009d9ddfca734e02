import { organisationP12, signUpload } from '../test/helpers/partnerships.ts';
import { DAY, HOUR, type DemoCase } from './demo-helpers.ts';
import { LOT_OFFERS, offerFor, type OfferTemplate } from './demo-offers.ts';

// After the award (issue 17): each selected organisation reviews its draft agreement (one asks for
// a change, the agent answers with a revision), accepts it and signs it with its own PKCS#12, as
// an organisation holding a certificate from a CA would; the agent records the start of
// operation; each partner publishes its services with the free and discounted places its bid
// promised.

export interface PartnerOffer {
  id: string;
  service: string;
  freePlaces: number;
  discountedPlaces: number;
}

export interface Partner {
  id: string;
  name: string;
  lot: string;
  lotName: string;
  /** 1-based rank of the partner in its lot */
  rank: number;
  token: string;
  signedAt: Date;
  agreement: { id: string; verifyCode: string };
  offers: PartnerOffer[];
}

interface PartnershipView {
  id: string;
  organization: { name: string };
  lot: string;
  lotName: string;
  currentVersion: number;
  signedAt: string | null;
  changeRequests: { id: string }[];
  agreement: { id: string; verifyCode: string } | null;
}

const CHANGE_REQUEST = '协议第五条约定每月公益演出不少于 2 场。考虑到冬季职工加班较多，建议将 12 月至次年 2 月的公益演出安排在周末下午，并在协议中写明节假日场次可顺延至下一个周末。';
const REVISION = '同意在协议第五条补充：12 月至次年 2 月的公益演出安排在周末下午；遇法定节假日的场次顺延至下一个周末，全年场次总数不变。';

/** The draft agreements concluded and signed, operation started, the services published: the partners. */
export async function concludeAgreements(demo: DemoCase, rankOf: (name: string) => number): Promise<Partner[]> {
  const { app, clock, call, agent, recruitmentId } = demo;
  const tokenOf = (name: string) => demo.organizations.find((o) => o.name === name)!.token;
  const listed = await call<PartnershipView[]>('GET', `/recruitments/${recruitmentId}/partnerships`, agent);
  const lots = Object.keys(LOT_OFFERS);
  listed.sort((a, b) => lots.indexOf(a.lot) - lots.indexOf(b.lot) || rankOf(a.organization.name) - rankOf(b.organization.name));

  // the draft is read over a day or two; the first partner asks for a change, the agent revises
  clock.advance(DAY);
  const asker = listed[0]!;
  await call('POST', `/partnerships/${asker.id}/change-requests`, tokenOf(asker.organization.name), { text: CHANGE_REQUEST });
  clock.advance(DAY);
  const [request] = (await call<PartnershipView>('GET', `/partnerships/${asker.id}`, agent)).changeRequests;
  await call('POST', `/agreement-change-requests/${request!.id}/answer`, agent, { answer: 'revised', text: REVISION });
  demo.step(`${asker.organization.name}对协议草案提出修改申请，经办人答复并签发第 2 版协议文本`);

  const partners: Partner[] = [];
  for (const [index, listedView] of listed.entries()) {
    clock.advance(3 * HOUR);
    const name = listedView.organization.name;
    const token = tokenOf(name);
    const current = await call<PartnershipView>('GET', `/partnerships/${listedView.id}`, token);
    await call('POST', `/partnerships/${current.id}/accept`, token, { version: current.currentVersion });
    // the organisation's own certificate, uploaded for the signing moment only
    const upload = signUpload(organisationP12(name));
    const signed = await app.inject({
      method: 'POST',
      url: `/api/v1/partnerships/${current.id}/sign`,
      headers: { ...upload.headers, authorization: `Bearer ${token}` },
      payload: upload.payload,
      remoteAddress: `203.0.113.${60 + index}`,
    });
    if (signed.statusCode !== 200) throw new Error(`signing of ${name}: ${signed.body}`);
    const view = await call<PartnershipView>('GET', `/partnerships/${current.id}`, token);
    partners.push({
      id: view.id,
      name,
      lot: view.lot,
      lotName: view.lotName,
      rank: rankOf(name),
      token,
      signedAt: new Date(view.signedAt!),
      agreement: view.agreement!,
      offers: await publishOffers(demo, view.id, token, LOT_OFFERS[view.lot]![rankOf(name) - 1]!),
    });
  }
  demo.step(`${partners.length} 家入选单位确认协议文本并以本单位数字证书签署（中心签名 + 乙方签名，增量更新），各自发布服务项目和公益名额`);

  // a week to move in; the agent records the start of operation of each
  clock.advance(7 * DAY);
  for (const partner of partners) {
    await call('POST', `/partnerships/${partner.id}/activate`, agent);
    // the poster with the rating QR code, for the site's wall
    const poster = await app.inject({ method: 'GET', url: `/api/v1/partnerships/${partner.id}/poster.pdf`, headers: { authorization: `Bearer ${partner.token}` } });
    if (poster.statusCode !== 200) throw new Error(`poster of ${partner.name}: ${poster.body}`);
  }
  const offers = partners.reduce((sum, partner) => sum + partner.offers.length, 0);
  demo.step(`一周后各合作伙伴进场，经办人确认开始运营，合作伙伴下载评价二维码海报张贴；服务阵地公示 ${offers} 项服务（/api/v1/sites/${recruitmentId}/offers）`);
  return partners;
}

/** The partner's catalogue: each service with free and discounted places at least its bid's share. */
async function publishOffers(demo: DemoCase, partnershipId: string, token: string, templates: OfferTemplate[]): Promise<PartnerOffer[]> {
  const { bidShare } = await demo.call<{ bidShare: number }>('GET', `/partnerships/${partnershipId}/offers`, token);
  const offers: PartnerOffer[] = [];
  for (const template of templates) {
    const offer = offerFor(template, bidShare);
    const { offerId: id } = await demo.call<{ offerId: string }>('POST', `/partnerships/${partnershipId}/offers`, token, offer);
    offers.push({ id, service: offer.service, freePlaces: offer.freePlaces, discountedPlaces: offer.discountedPlaces });
  }
  return offers;
}
