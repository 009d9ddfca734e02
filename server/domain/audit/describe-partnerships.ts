import { formatFingerprint } from '../../lib/bid-key-fingerprint.ts';
import { formatTime } from '../../lib/labels.ts';
import { PARTNERSHIP_STATUS_LABELS, type PartnershipStatus } from '../partnerships/types.ts';
import { shortHex, words, type Describer, type Details, type Line } from './describe-words.ts';

// The partnership's audit entries in words (issue 17): its transitions and the review of its agreement.

const statusLabel = (value: string | undefined) => (value === undefined ? '—' : (PARTNERSHIP_STATUS_LABELS[value as PartnershipStatus] ?? value));

const timeLine = (d: Details, key: string, title: string): Line => {
  const value = d.str(key);
  return value && `${title}：${formatTime(value)}`;
};

const versionLine = (d: Details): Line => {
  const version = d.num('version');
  return version !== undefined && `第 ${version} 版协议文本`;
};

const termLine = (d: Details): Line => {
  const months = d.num('termMonths');
  return months !== undefined && `合作期限 ${months} 个月`;
};

const transition: Describer = (d) => [
  `${statusLabel(d.str('from'))} → ${statusLabel(d.str('to'))}`,
  versionLine(d),
  termLine(d),
  timeLine(d, 'endsAt', '合作期至'),
  timeLine(d, 'signBy', '签约期限'),
];

export const PARTNERSHIP_DESCRIBERS: Record<string, Describer> = {
  'partnership.open': (d, names) => [
    d.str('organizationId') && `入选单位：${words(d.str('organizationId'), names)}`,
    timeLine(d, 'signBy', '签约期限'),
    termLine(d),
  ],
  'partnership.sign': (d, names) => {
    const fingerprint = d.str('certificateFingerprint');
    const sha = d.str('sha256');
    const centre = d.str('centreSha256');
    d.skip('documentId');
    return [
      ...transition(d, names),
      d.str('certificateSubject') && `签名证书：${d.str('certificateSubject')}`,
      d.str('certificateIssuer') && `颁发者：${d.str('certificateIssuer')}`,
      fingerprint && `证书指纹：${formatFingerprint(fingerprint)}`,
      centre && `中心签名文件 sha256 前 12 位 ${shortHex(centre)}`,
      sha && `双方签名文件 sha256 前 12 位 ${shortHex(sha)}`,
    ];
  },
  'partnership.lapse': transition,
  'partnership.activate': transition,
  'partnership.requireRectification': transition,
  'partnership.passRectification': transition,
  'partnership.terminate': (d, names) => {
    const sha = d.str('sha256');
    d.skip('documentId', 'reviewId', 'recordId');
    return [
      ...transition(d, names),
      d.str('reason') && `终止理由：${d.str('reason')}`,
      d.str('assetHandling') && `固定资产处置安排：${d.str('assetHandling')}`,
      sha && `终止合作通知书 sha256 前 12 位 ${shortHex(sha)}`,
    ];
  },
  'partnership.end': transition,
  'agreement.accept': (d) => {
    const sha = d.str('sha256');
    d.skip('documentId');
    return [versionLine(d), sha && `正式协议（中心签名）sha256 前 12 位 ${shortHex(sha)}`];
  },
  'agreement.request_changes': (d) => {
    d.skip('requestId');
    const length = d.num('length');
    return [versionLine(d), length !== undefined && `内容 ${length} 字`];
  },
  'agreement.revise': (d) => {
    d.skip('requestId');
    const length = d.num('length');
    const version = versionLine(d);
    return [version && `签发${version}`, termLine(d), length !== undefined && `修订内容 ${length} 字`];
  },
  'agreement.refuse_changes': (d) => {
    d.skip('requestId');
    const length = d.num('length');
    return ['不予修改', length !== undefined && `理由 ${length} 字`];
  },
};
