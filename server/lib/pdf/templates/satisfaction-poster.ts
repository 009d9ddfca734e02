import { issuerSignature, type DocumentBase, type LotInfo, type Template } from './template.ts';

// The poster a partner puts up at the site (issue 17): workers scan its QR code, or type its
// address, to rate the service they used with the code they were given. One page of A4; signed
// like every document, so a poster can be checked to be the centre's and to lead to the portal.

export interface SatisfactionPosterInput extends DocumentBase {
  organization: { name: string };
  /** the site: the recruitment's service position */
  lot: LotInfo;
  /** the services the partner offers there now, as the poster names them (at most a few) */
  services: readonly string[];
  /** PUBLIC_URL/rate/<partnership>, encoded in the QR code */
  rateUrl: string;
  /** days a proof-of-use code stays good for rating */
  ratingWindowDays: number;
}

const SHOWN_SERVICES = 6;

export const satisfactionPoster: Template<SatisfactionPosterInput> = {
  kind: 'satisfaction_poster',
  version: '1.0',
  title: '职工满意度评价海报',
  about: (input) => input.organization.name,
  keywords: (input) => [`rate-url:${input.rateUrl}`],
  build(input, context) {
    const services = input.services.slice(0, SHOWN_SERVICES);
    const more = input.services.length > SHOWN_SERVICES ? ` 等 ${input.services.length} 项` : '';
    return [
      { kind: 'title', text: '扫码评价 · 您的满意是我们的追求', subtitle: `${input.recruitment.owner} · ${input.recruitment.title}` },
      {
        kind: 'fields',
        rows: [
          ['服务阵地', input.lot.name],
          ['合作伙伴', input.organization.name],
          ...(services.length > 0 ? [['服务项目', `${services.join('、')}${more}`] as const] : []),
        ],
      },
      { kind: 'qr', url: input.rateUrl, size: 200, caption: ['请用手机扫描二维码，或在浏览器中输入以下网址：', input.rateUrl] },
      { kind: 'heading', text: '如何评价' },
      { kind: 'paragraph', text: `1. 接受服务后，请向服务人员索取评价码（如 7KQ2-M9XD），每次服务一个码，${input.ratingWindowDays} 天内有效。` },
      { kind: 'paragraph', text: '2. 扫码打开评价页面，输入评价码，选择满意程度（很不满意、不满意、一般、满意、非常满意）和您所属的职工群体，可留下意见建议。' },
      { kind: 'paragraph', text: '3. 无需注册或登录，评价匿名：合作伙伴只看到汇总结果，意见建议由职工服务中心和纪检监督员查阅。' },
      {
        kind: 'paragraph',
        small: true,
        text: '您的评价是合作伙伴阶段考核和终期考核的核心指标。每个评价码只能使用一次；请勿代他人评价。',
      },
      issuerSignature(input, context),
    ];
  },
};
