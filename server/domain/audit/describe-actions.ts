import { formatFingerprint } from '../../lib/bid-key-fingerprint.ts';
import { CHANNEL_LABELS, formatTime, ROLE_LABELS, SEVERITY_LABELS, STATUS_LABELS } from '../../lib/labels.ts';
import { KIND_NAMES } from '../documents/inputs.ts';
import { indicatorLabel } from '../inspection/indicators/index.ts';
import { OFFER_DESCRIBERS } from './describe-offers.ts';
import { PARTNERSHIP_DESCRIBERS } from './describe-partnerships.ts';
import { SATISFACTION_DESCRIBERS } from './describe-satisfaction.ts';
import { REVIEW_DESCRIBERS } from './describe-reviews.ts';
import { shortHex, words, type Describer, type Details, type Line, type Names } from './describe-words.ts';

// What each action's details mean, in words: one describer per action code, naming the fields a
// reader needs. A field not named here is shown as it is (describe.ts), so a new field is never lost.

const label = <T extends string>(labels: Record<T, string>, value: string | undefined): string | undefined =>
  value === undefined ? undefined : (labels[value as T] ?? value);

/** a text's length: the log keeps how long it was, the text itself is on its own page */
const textLength = (d: Details): Line => {
  const length = d.num('length');
  return length !== undefined && `内容 ${length} 字`;
};

const lotName = (key: string | undefined, names: Names): string | undefined => (key === undefined ? undefined : (names.lot(key) ?? key));

const person = (id: string | undefined, names: Names): string | undefined => (id === undefined ? undefined : words(id, names));

const people = (ids: unknown[] | undefined, names: Names): string | undefined => (ids === undefined ? undefined : words(ids, names));

const roundLine = (d: Details): Line => {
  const round = d.num('round');
  return round !== undefined && `第 ${round} 轮评审`;
};

/** the chain head an inspector's sign-off saw, and whether the chain verified then */
const chainLines = (d: Details): Line[] => {
  const head = d.str('chainHead');
  const ok = d.bool('chainOk');
  const entries = d.num('chainEntries') ?? d.num('chainSeq');
  return [
    head &&
      `签字时操作日志链头 ${shortHex(head)}${entries === undefined ? '' : `（第 ${entries} 条）`}，${ok === false ? '核验未通过' : '核验通过'}`,
  ];
};

const commentLine = (d: Details): Line => {
  const comment = d.str('comment');
  return comment && `意见：${comment}`;
};

const reasonLine = (d: Details, key = 'reason'): Line => {
  const reason = d.str(key);
  return reason && `理由：${reason}`;
};

/** ranked bids (candidates, awards, an evaluation's ranking): one line each, by lot */
const rankedLines = (items: Details[], names: Names, score: 'score' | 'mean'): Line[] =>
  items.map((item) => {
    const value = item.num(score);
    const recommended = item.bool('recommended');
    const rank = item.num('rank');
    return `${lotName(item.str('lot'), names) ?? ''} 第 ${rank ?? '—'} 名：${words(item.str('bidId'), names)}${
      value === undefined ? '' : `，${score === 'mean' ? '平均分' : '得分'} ${value}`
    }${recommended ? '（推荐）' : ''}`;
  });

const statusChange = (d: Details): Line => {
  const from = label(STATUS_LABELS, d.str('from'));
  const to = label(STATUS_LABELS, d.str('to'));
  return from && to && `状态：${from} → ${to}`;
};

/** at publication: who watches and holds keys, on what decision */
const publicationLines = (d: Details, names: Names): Line[] => {
  const inspector = d.str('inspectorId');
  const escrow = d.str('escrowHolderId');
  const decision = d.str('decisionRef');
  return [inspector && `纪检监督员：${person(inspector, names)}`, escrow && `密钥托管人：${person(escrow, names)}`, decision && `集体决策：${decision}`];
};

/** the candidates announced, the awards made, or an evaluation redone */
const resultLines = (d: Details, names: Names): Line[] => {
  const endsAt = d.str('publicityEndsAt');
  const from = d.num('fromRound');
  const to = d.num('toRound');
  const upheld = d.list('upheldChallenges');
  return [
    endsAt && `公示截止：${formatTime(endsAt)}`,
    ...rankedLines(d.records('candidates'), names, 'score'),
    ...rankedLines(d.records('awards'), names, 'score'),
    from !== undefined && to !== undefined && `由第 ${from} 轮评审改为第 ${to} 轮`,
    upheld && `成立的质疑 ${upheld.length} 项`,
  ];
};

/** a change of the recruitment's status (recruitments/state.ts), with what the transition recorded */
const transition: Describer = (d, names) => [
  statusChange(d),
  reasonLine(d),
  ...publicationLines(d, names),
  roundLine(d),
  ...resultLines(d, names),
  ...chainLines(d),
  commentLine(d),
];

const UPDATED_FIELDS: Record<string, string> = {
  agreementTermMonths: '合作期限',
  body: '公告正文',
  criteria: '评分因素',
  decisionRef: '集体决策',
  eligibility: '资格条件',
  lots: '类别',
  minPublicBenefitRatio: '最低公益名额比例',
  owner: '招募单位',
  publicityDays: '公示天数',
  questionsDeadline: '提问截止时间',
  submissionDeadline: '响应截止时间',
  summary: '摘要',
  title: '标题',
};

const LOGIN_FAILURES: Record<string, string> = {
  unknown_email: '邮箱未注册',
  wrong_password: '密码错误',
  inactive: '账号已停用',
};

const SIGN_IN_KINDS: Record<string, string> = { page: '网页登录', api: 'API 令牌' };

const fingerprintLine = (title: string, fingerprint: string | undefined): Line => fingerprint && `${title}：${formatFingerprint(fingerprint)}`;

export const DESCRIBERS: Record<string, Describer> = {
  ...PARTNERSHIP_DESCRIBERS,
  ...OFFER_DESCRIBERS,
  ...SATISFACTION_DESCRIBERS,
  ...REVIEW_DESCRIBERS,
  'recruitment.publish': transition,
  'recruitment.cancel': transition,
  'recruitment.suspend': transition,
  'recruitment.resume': transition,
  'recruitment.startOpening': transition,
  'recruitment.closeOpening': transition,
  'recruitment.failOpening': transition,
  'recruitment.announceCandidates': transition,
  'recruitment.redoEvaluation': transition,
  'recruitment.award': transition,
  'recruitment.create': (d) => [d.str('title') && `标题：${d.str('title')}`],
  'recruitment.update': (d) => [`修改：${(d.list('fields') ?? []).map((field) => UPDATED_FIELDS[String(field)] ?? String(field)).join('、')}`],
  'recruitment.amend': (d, names) => {
    const number = d.num('number');
    const title = d.str('title');
    const affects = d.bool('affectsPreparation');
    return [
      `第 ${number ?? '—'} 号更正/澄清公告${title ? `：${title}` : ''}`,
      ...d.records('changes').map((change) => {
        const field = change.str('field');
        return `${(field && UPDATED_FIELDS[field]) ?? field}：${words(change.str('from'), names)} → ${words(change.str('to'), names)}`;
      }),
      affects !== undefined && (affects ? '涉及响应文件的编制' : '不涉及响应文件的编制'),
    ];
  },
  'recruitment.cancel_countersign': (d) => chainLines(d),
  'recruitment.publication_add': (d) => {
    const url = d.str('url');
    return [
      `${label(CHANNEL_LABELS, d.str('channel')) ?? ''}：${d.str('name') ?? ''}，${d.str('publishedOn') ?? ''} 发布`,
      url && `网址：${url}`,
    ];
  },
  'bid_key.issue': (d, names) => {
    const sha = d.str('announcementSha256');
    return [
      fingerprintLine('投标加密公钥指纹', d.str('bidKeyFingerprint')),
      `公告文件：${words(d.str('announcement'), names)}${sha ? `，sha256 前 12 位 ${shortHex(sha)}` : ''}`,
    ];
  },
  'bid_key.mismatch': (d) => [
    d.str('during') && `发生于：${d.str('during') === 'submission' ? '提交响应文件' : d.str('during') === 'opening' ? '开标' : d.str('during')}`,
    fingerprintLine('库中公钥指纹', d.str('stored')),
    fingerprintLine('公告公钥指纹', d.str('announced')),
    d.str('problem') && `问题：${d.str('problem')}`,
  ],
  'bid.submit': (d, names) => {
    const version = d.num('version');
    const digest = d.str('digest');
    const session = d.str('sessionId');
    return [
      [
        version !== undefined && `第 ${version} 版`,
        d.str('lot') && `类别：${lotName(d.str('lot'), names)}`,
        digest && `摘要 sha256 前 12 位 ${shortHex(digest)}`,
        d.num('files') !== undefined && `文件 ${d.num('files')} 个`,
      ]
        .filter(Boolean)
        .join('，'),
      session && `登录会话 ${session.slice(0, 8)}`,
    ];
  },
  'bid.withdraw': (d) => [d.num('version') !== undefined && `撤回第 ${d.num('version')} 版`],
  'bid.decrypt': (d) => {
    const verified = d.bool('verified');
    return [`第 ${d.num('version') ?? '—'} 版，${verified === undefined ? '未复核摘要' : verified ? '摘要复核一致' : '摘要复核不一致'}`];
  },
  'bid.download': (d) => {
    const sha = d.str('sha256');
    d.skip('fileId');
    return [`文件：${d.str('name') ?? '—'}${sha ? `，sha256 前 12 位 ${shortHex(sha)}` : ''}`];
  },
  'question.ask': (d) => [textLength(d)],
  'question.answer': (d) => [textLength(d)],
  'challenge.raise': (d) => [textLength(d), roundLine(d)],
  'challenge.answer': (d) => {
    const upheld = d.bool('upheld');
    return [upheld !== undefined && (upheld ? '质疑成立' : '质疑不成立'), textLength(d)];
  },
  'opening.unlock': (d) => [
    fingerprintLine('核对的投标加密公钥指纹', d.str('confirmedFingerprint')),
    d.bool('escrow') && '由密钥托管人代为输入',
    reasonLine(d),
  ],
  'opening.open': (d, names) => {
    const failed = d.list('failedLots') ?? [];
    const escrowReason = d.str('escrowReason');
    return [
      `开启响应文件 ${d.num('bids') ?? 0} 份，摘要复核一致 ${d.num('verified') ?? 0} 份`,
      failed.length > 0 && `流标类别：${failed.map((key) => lotName(String(key), names)).join('、')}`,
      `输入口令：${people(d.list('holders'), names) ?? '—'}`,
      escrowReason && `密钥托管人代为输入，理由：${escrowReason}`,
    ];
  },
  'panel.draw': (d, names) => {
    const specialties = d.list('specialties') ?? [];
    const excluded = d.list('excludedUscc') ?? [];
    d.skip('candidates');
    return [
      `抽取 ${d.num('size') ?? '—'} 名，候选专家 ${(d.list('candidates') ?? []).length} 名，随机种子 ${d.str('seed') ?? '—'}`,
      specialties.length > 0 && `专业：${specialties.join('、')}`,
      `回避与 ${excluded.length} 家响应单位有关联的专家`,
      ...d.records('members').map((seat) => `第 ${seat.num('order') ?? '—'} 席${seat.num('order') === 1 ? '（组长）' : ''}：${person(seat.str('userId'), names)}`),
    ];
  },
  'panel.supplementary_draw': (d, names) => {
    const excluded = d.list('excludedUscc') ?? [];
    const vacant = d.list('vacantSeats') ?? [];
    return [
      `第 ${d.num('number') ?? '—'} 次补充抽取，候选专家 ${(d.list('candidates') ?? []).length} 名，随机种子 ${d.str('seed') ?? '—'}`,
      reasonLine(d),
      roundLine(d),
      `回避与 ${excluded.length} 家响应单位有关联的专家`,
      ...d.records('members').map((seat) => `第 ${seat.num('order') ?? '—'} 席：${person(seat.str('userId'), names)}`),
      vacant.length > 0 && `仍空缺：第 ${vacant.join('、')} 席`,
    ];
  },
  'panel.declare': (d) => {
    const note = d.str('note');
    return [
      `第 ${d.num('order') ?? '—'} 席`,
      d.bool('conflict') ? '声明存在利害关系，申请回避' : '声明无利害关系',
      note && `说明：${note}`,
    ];
  },
  'panel.replace': (d, names) => [
    `第 ${d.num('order') ?? '—'} 席 ${person(d.str('recused'), names)} 回避，由 ${person(d.record('replacement')?.str('userId'), names) ?? '—'} 递补`,
    roundLine(d),
    reasonLine(d),
  ],
  'panel.seat_vacant': (d, names) => {
    d.skip('replacement');
    return [`第 ${d.num('order') ?? '—'} 席 ${person(d.str('recused'), names)} 回避，无人可递补，席位空缺`, roundLine(d), reasonLine(d)];
  },
  'qualification.review': (d) => {
    const results = (d.record('results')?.unread() ?? []).map(([, value]) => value);
    const failed = results.filter((value) => value === 'fail').length;
    const qualified = d.bool('qualified');
    return [
      qualified !== undefined && (qualified ? '资格审查合格' : '资格审查不合格'),
      `${results.length} 项资格条件：通过 ${results.length - failed} 项，不通过 ${failed} 项`,
      reasonLine(d),
      roundLine(d),
    ];
  },
  'score.submit': (d) => {
    const digest = d.str('digest');
    return [`提交 ${d.num('bids') ?? 0} 份响应文件的评分${digest ? `，评分摘要 ${shortHex(digest)}` : ''}`, roundLine(d)];
  },
  'evaluation.confirm': (d) => [roundLine(d)],
  'evaluation.sign_off': (d, names) => [roundLine(d), ...chainLines(d), commentLine(d), ...rankedLines(d.records('ranking'), names, 'mean')],
  'award.sign_off': (d) => [roundLine(d), ...chainLines(d), commentLine(d)],
  'document.issue': (d, names) => {
    const sha = d.str('sha256');
    const bid = d.str('bidId');
    d.skip('templateVersion');
    return [
      `${label(KIND_NAMES, d.str('kind')) ?? '文件'}${bid ? `（${words(bid, names)}）` : ''}`,
      sha && `sha256 前 12 位 ${shortHex(sha)}`,
      d.str('verifyCode') && `验证码：${d.str('verifyCode')}`,
      ...chainLines(d),
    ];
  },
  'document.mail': (d, names) => {
    d.skip('mailId');
    const to = d.list('to');
    const sent = d.list('documents') ?? [];
    return [`${sent.length} 份文件：${people(sent, names)}`, to && `收件人：${people(to, names)}`];
  },
  'alert.raised': (d) => [
    `${indicatorLabel(d.str('indicator') ?? '')}（严重程度：${label(SEVERITY_LABELS, d.str('severity')) ?? '—'}）`,
    d.str('subject'),
  ],
  'auth.login': (d) => [label(SIGN_IN_KINDS, d.str('kind'))],
  'auth.login_failed': (d) => [d.str('email') && `邮箱：${d.str('email')}`, label(LOGIN_FAILURES, d.str('reason'))],
  'user.create': (d) => {
    const specialties = d.list('specialties') ?? [];
    const affiliation = d.str('affiliationUscc');
    return [
      `${d.str('name') ?? ''}（${label(ROLE_LABELS, d.str('role')) ?? ''}），${d.str('email') ?? ''}`,
      specialties.length > 0 && `专业：${specialties.join('、')}`,
      affiliation && `所在单位统一社会信用代码：${affiliation}`,
    ];
  },
  'organization.register': (d) => [
    `${d.str('name') ?? ''}（${d.str('type') ?? ''}）`,
    d.str('uscc') && `统一社会信用代码：${d.str('uscc')}`,
    d.str('email') && `电子邮箱：${d.str('email')}`,
  ],
  'organization.email_verified': (d) => [d.str('email') && `电子邮箱：${d.str('email')}`],
  'opening_key.set': (d) => [d.str('publicKey') && `开标公钥 ${shortHex(d.str('publicKey')!)}`],
  'opening_key.change': (d) => [d.str('publicKey') && `开标公钥 ${shortHex(d.str('publicKey')!)}`],
  'escrow.designate': (d, names) => [
    `密钥托管人：${person(d.str('holderId'), names) ?? '无'}`,
    `此前：${person(d.str('previousHolderId'), names) ?? '无'}`,
  ],
};
