import { createHash } from 'node:crypto';
import { usccCheckCharacter } from '../../server/domain/accounts/uscc.ts';
import type { DocumentRequest } from '../../server/lib/pdf/documents.ts';
import type { RecruitmentInfo } from '../../server/lib/pdf/templates/template.ts';

// Realistic inputs for each document kind, modelled on the Zhejiang case of SPEC §8, for the PDF
// tests and scripts/bench-documents.ts.

const uscc = (body: string) => `${body}${usccCheckCharacter(body)}`;

export const SAMPLE_ORGANIZATION = { name: '杭州市西湖区星光艺术团', uscc: uscc('52330106MJ8912345') };
export const SAMPLE_PUBLIC_URL = 'https://zhigong.example.cn';

const recruitment: RecruitmentInfo = {
  title: '浙江省职工服务中心职工服务阵地社会化运营合作伙伴招募',
  owner: '浙江省职工服务中心',
  reference: 'ZJZG-2025-001',
};
const issuedAt = new Date('2025-07-08T02:30:00Z');
const performingArts = { key: 'performing-arts', name: '文艺演出' };

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

const ORGANIZATIONS = [
  ['杭州市西湖区星光艺术团', 'performing-arts'],
  ['浙江钱塘爱乐合唱团', 'performing-arts'],
  ['宁波市甬江民乐艺术中心', 'performing-arts'],
  ['温州市鹿城区越剧传承研究会', 'performing-arts'],
  ['绍兴市柯桥区舞韵文化艺术团', 'performing-arts'],
  ['浙江省职工体育健身协会', 'sports'],
  ['杭州运河羽毛球俱乐部有限公司', 'sports'],
  ['嘉兴市南湖区乒乓球运动协会', 'sports'],
  ['湖州市太湖健身步道服务中心', 'sports'],
  ['浙江之江公益活动策划有限公司', 'event-planning'],
  ['金华市婺城区社工服务社', 'event-planning'],
  ['台州市和合公益发展中心', 'event-planning'],
] as const;
const LOTS = [
  { key: 'performing-arts', name: '文艺演出', quota: 3 },
  { key: 'sports', name: '体育组织', quota: 2 },
  { key: 'event-planning', name: '公益活动策划', quota: 2 },
];
const CRITERIA = [
  { key: 'plan', name: '公益服务方案', maxScore: 30 },
  { key: 'ability', name: '资质与专业能力', maxScore: 20 },
  { key: 'record', name: '业绩与信用', maxScore: 15 },
  { key: 'share', name: '免费/优惠名额比例', maxScore: 20 },
  { key: 'revenue', name: '合作及收益方案', maxScore: 15 },
];
const PANEL = ['陈立华', '王晓梅', '李建国', '赵敏', '孙浩然'];

const base = { recruitment, issuedAt };

export function sampleAwardNotice(verifyCode = 'ZJ7K-3MQX-9P4D-2AH8'): Extract<DocumentRequest, { kind: 'award_notice' }> {
  return {
    kind: 'award_notice',
    input: {
      ...base,
      verifyCode,
      organization: SAMPLE_ORGANIZATION,
      lot: performingArts,
      finalScore: 88.67,
      rank: 1,
      publicBenefitRatio: 30,
      agreementTermMonths: 36,
      publicityEndedAt: new Date('2025-07-07T09:00:00Z'),
      signBy: new Date('2025-07-31T09:00:00Z'),
    },
  };
}

export function sampleRejectionNotice(verifyCode = 'ZJ8R-TV2W-XY3Z-4B5C'): Extract<DocumentRequest, { kind: 'rejection_notice' }> {
  return {
    kind: 'rejection_notice',
    input: {
      ...base,
      verifyCode,
      organization: { name: '温州市鹿城区越剧传承研究会', uscc: uscc('51330302MJ8765432') },
      lot: performingArts,
      finalScore: 76.33,
      rank: 4,
      reason: '综合得分在“文艺演出”类别中排名第 4，未进入本类别 3 个入选名额。',
      publicityEndedAt: new Date('2025-07-07T09:00:00Z'),
    },
  };
}

export function sampleDraftAgreement(verifyCode = 'ZJ9A-GR3E-M5NT-6D7F'): Extract<DocumentRequest, { kind: 'draft_agreement' }> {
  return {
    kind: 'draft_agreement',
    input: {
      ...base,
      verifyCode,
      centre: { name: '浙江省职工服务中心', address: '杭州市上城区解放路 138 号', representative: '周建平' },
      partner: { ...SAMPLE_ORGANIZATION, address: '杭州市西湖区文三路 259 号', representative: '林晓燕' },
      lot: performingArts,
      projectContent:
        '每月在职工文化宫剧场举办不少于 4 场面向职工的文艺演出，开设合唱、舞蹈、器乐等职工艺术培训班，并承办工会重大节日文艺活动。',
      venue: '职工文化宫剧场及二楼排练厅',
      termMonths: 36,
      publicBenefitRatio: 30,
      minPublicBenefitRatio: 20,
    },
  };
}

export function sampleAgreement(verifyCode = 'ZJ3S-GN4E-D5BT-6H7K'): Extract<DocumentRequest, { kind: 'agreement' }> {
  const draft = sampleDraftAgreement(verifyCode).input;
  return {
    kind: 'agreement',
    input: {
      ...draft,
      version: 2,
      revisions: [{ version: 2, text: '每月公益演出场次由 4 场调整为 5 场，其中 1 场安排在周末。' }],
      acceptedAt: new Date('2025-07-07T08:00:00Z'),
    },
  };
}

export function sampleSatisfactionPoster(verifyCode = 'ZJ5P-QR7S-T8VW-9X0Y'): Extract<DocumentRequest, { kind: 'satisfaction_poster' }> {
  return {
    kind: 'satisfaction_poster',
    input: {
      ...base,
      verifyCode,
      organization: { name: SAMPLE_ORGANIZATION.name },
      lot: performingArts,
      services: ['职工合唱排练', '周末公益演出', '职工子女舞蹈班'],
      rateUrl: `${SAMPLE_PUBLIC_URL}/rate/0f3c2a1e-7b64-4d2e-9a51-3c8e5f7a9b10`,
      ratingWindowDays: 30,
    },
  };
}

export function sampleOpeningRecord(verifyCode = 'ZJ2K-B4C6-D8E0-F1G3'): Extract<DocumentRequest, { kind: 'opening_record' }> {
  return {
    kind: 'opening_record',
    input: {
      ...base,
      verifyCode,
      startedAt: new Date('2025-06-20T01:30:00Z'),
      unsealedAt: new Date('2025-06-20T01:42:17Z'),
      place: '线上开标（职工服务中心合作伙伴招募平台）',
      host: '张卫东（招标代理）',
      attendees: [
        { name: '刘清', role: '纪检监督员' },
        ...ORGANIZATIONS.slice(0, 6).map(([name]) => ({ name, role: '响应单位代表' })),
      ],
      lots: LOTS.map((lot) => ({
        key: lot.key,
        name: lot.name,
        validBids: ORGANIZATIONS.filter(([, key]) => key === lot.key).length,
        status: '有效',
      })),
      bids: ORGANIZATIONS.map(([name, lotKey], index) => ({
        organization: name,
        lot: LOTS.find((lot) => lot.key === lotKey)!.name,
        submittedAt: new Date(Date.UTC(2025, 5, 18, 2 + index, 7 * index, 13)),
        digest: digest(name),
        digestVerified: true,
        publicBenefitRatio: 20 + (index % 4) * 5,
      })),
      objections: [
        {
          raisedBy: '绍兴市柯桥区舞韵文化艺术团',
          text: '我单位递交时间显示比实际上传完成时间晚约 1 分钟，请核实。',
          answer: '经核对服务器日志，递交时间以文件完整写入并取得回执的时间为准，记录无误。',
        },
      ],
      signOff: {
        inspector: '刘清',
        at: new Date('2025-06-20T02:15:00Z'),
        comment: '开标程序符合招募文件规定，解封及摘要比对过程全程在线留痕。',
        chainHead: digest('audit-chain-head-1'),
      },
    },
  };
}

export function sampleEvaluationReport(verifyCode = 'ZJ4H-J5K6-M7N8-P9Q0'): Extract<DocumentRequest, { kind: 'evaluation_report' }> {
  const bids = ORGANIZATIONS.map(([organization, lotKey], index) => {
    const scores = PANEL.map((expert, expertIndex) => {
      const byCriterion = Object.fromEntries(
        CRITERIA.map((criterion, criterionIndex) => [
          criterion.key,
          Math.max(0, criterion.maxScore - ((index * 3 + expertIndex * 2 + criterionIndex) % 7) * 0.5 - (index % 3)),
        ]),
      );
      const total = Object.values(byCriterion).reduce((a, b) => a + b, 0);
      return { expert, byCriterion, total, comment: expertIndex === 3 && index === 2 ? '方案中公益场次安排具体，但收益测算依据不足。' : null };
    });
    const totals = scores.map((entry) => entry.total).sort((a, b) => a - b);
    const mean = totals.slice(1, -1).reduce((a, b) => a + b, 0) / (totals.length - 2);
    return { organization, lotKey, publicBenefitRatio: 20 + (index % 4) * 5, scores, mean, rank: 0, recommended: false, flags: [] as string[] };
  });
  for (const lot of LOTS) {
    bids
      .filter((bid) => bid.lotKey === lot.key)
      .sort((a, b) => b.mean - a.mean)
      .forEach((bid, index) => {
        bid.rank = index + 1;
        bid.recommended = index < lot.quota;
      });
  }
  bids[7]!.flags.push('与另一响应单位的联系电话相同');
  return {
    kind: 'evaluation_report',
    input: {
      ...base,
      verifyCode,
      round: 1,
      redoReason: null,
      panel: PANEL.map((name, index) => ({ name, order: index + 1 })),
      panelChanges: [],
      criteria: CRITERIA,
      lots: LOTS,
      qualification: [
        ...ORGANIZATIONS.map(([organization, lotKey]) => ({ organization, lotKey, passed: true, failures: [] })),
        {
          organization: '丽水市云和木玩文化传播有限公司',
          lotKey: 'event-planning',
          passed: false,
          failures: [{ condition: '依法缴纳税收和社会保障资金', reason: '未提供近 6 个月社会保险缴纳证明。' }],
        },
      ],
      bids,
      confirmations: PANEL.map((expert, index) => ({ expert, at: new Date(Date.UTC(2025, 5, 25, 8, 10 + index)) })),
      signOff: {
        inspector: '刘清',
        at: new Date('2025-06-25T09:00:00Z'),
        comment: '评审过程独立、规范，未发现异常。',
        chainHead: digest('audit-chain-head-2'),
      },
    },
  };
}

export function sampleAnnouncement(verifyCode = 'ZJ2B-3C4D-5E6F-7G8H'): Extract<DocumentRequest, { kind: 'announcement' }> {
  return {
    kind: 'announcement',
    input: {
      recruitment,
      verifyCode,
      issuedAt,
      recruitmentId: '0e9c1f4a-5b6d-4c7e-8f90-a1b2c3d4e5f6',
      summary: '浙江省职工服务中心参照政府采购公开招标流程，公开招募职工服务阵地社会化运营合作伙伴，开展文艺演出、体育健身和公益活动策划等服务。',
      decisionRef: '浙职服党〔2025〕12号（主任办公会议纪要）',
      publishedAt: new Date('2025-05-20T02:00:00Z'),
      questionsDeadline: new Date('2025-06-05T09:00:00Z'),
      submissionDeadline: new Date('2025-06-16T02:00:00Z'),
      publicityDays: 5,
      agreementTermMonths: 36,
      minPublicBenefitRatio: 20,
      lots: [
        { name: '文艺演出', quota: 3 },
        { name: '体育组织', quota: 2 },
        { name: '公益活动策划', quota: 2 },
      ],
      eligibility: [
        '拥护中国共产党的领导，政治可靠，遵守国家法律法规',
        '具有独立承担民事责任的能力（法人），或能够以自己的名义开展活动',
        '具备履行合作协议所必需的资质和专业能力',
        '具有良好的商业信誉和健全的财务会计制度',
        '依法缴纳税收和社会保障资金',
        '参加本次招募前三年内无重大违法记录、失信记录和拒不执行判决的记录',
      ],
      criteria: [
        { name: '公益服务方案', maxScore: 30 },
        { name: '资质与专业能力', maxScore: 20 },
        { name: '业绩与信用', maxScore: 15 },
        { name: '免费/优惠名额比例', maxScore: 20 },
        { name: '合作与收益方案', maxScore: 15 },
      ],
      keyHolders: ['招标代理', '纪检监督员', '密钥托管人'],
      bidKeyFingerprint: digest('sample bid key'),
      publicPageUrl: `${SAMPLE_PUBLIC_URL}/recruitments/0e9c1f4a-5b6d-4c7e-8f90-a1b2c3d4e5f6`,
    },
  };
}

export function sampleAuditCheckpoint(verifyCode = 'ZJ5C-K6P7-Q8R9-S0T1'): Extract<DocumentRequest, { kind: 'audit_checkpoint' }> {
  return {
    kind: 'audit_checkpoint',
    input: {
      recruitment: { title: '操作日志检查点', owner: '浙江省职工服务中心' },
      verifyCode,
      issuedAt,
      seq: 1234,
      head: digest('audit-chain-head-3'),
      occasion: '每日签发',
    },
  };
}

/** A stage review asking for rectification: satisfaction below the pass line, a clean negative list. */
export function sampleReviewResult(verifyCode = 'ZJ4R-7V8W-9X2Y-3Z4A'): Extract<DocumentRequest, { kind: 'review_result' }> {
  return {
    kind: 'review_result',
    input: {
      recruitment,
      verifyCode,
      issuedAt,
      organization: SAMPLE_ORGANIZATION,
      lotName: performingArts.name,
      kindLabel: '阶段考核',
      periodFrom: new Date('2024-07-07T16:00:00Z'),
      periodTo: new Date('2025-07-07T16:00:00Z'),
      criteria: [
        { label: '职工满意度', weight: 40, points: 24.8, agentPoints: null, assessorPoints: null, scoredBy: '平台按职工评价计算' },
        { label: '服务项目完成情况', weight: 20, points: 15.5, agentPoints: 16, assessorPoints: 15, scoredBy: '经办人与第三方评估机构评分的平均' },
        { label: '公益（免费、优惠）名额兑现情况', weight: 15, points: 10, agentPoints: 10, assessorPoints: 10, scoredBy: '经办人与第三方评估机构评分的平均' },
        { label: '安全管理', weight: 10, points: 9, agentPoints: 9, assessorPoints: 9, scoredBy: '经办人与第三方评估机构评分的平均' },
        { label: '遵守协议及负面清单情况', weight: 15, points: 14, agentPoints: 14, assessorPoints: 14, scoredBy: '经办人与第三方评估机构评分的平均' },
      ],
      assessorName: '浙江求是社会组织评估中心',
      satisfaction: { ratings: 50, satisfiedShare: 0.62, mean: 3.7 },
      places: { delivered: { free: 310, discounted: 220 }, promised: { free: 360, discounted: 240 }, months: 12 },
      negativeList: [
        { label: '变相出租、转租服务阵地', breached: false },
        { label: '转包或分包服务阵地的运营', breached: false },
        { label: '使用服务阵地（中心）的文件、公章、票据或账户', breached: false },
        { label: '以服务阵地名义从事营利性经营活动', breached: false },
        { label: '超出公示价格收费或未落实对劳模工匠、困难职工、工会会员的优惠', breached: false },
      ],
      total: 73.3,
      passScore: 80,
      result: 'rectify',
      resultLabel: '限期整改',
      rectifyBy: new Date('2025-10-07T16:00:00Z'),
      reReviewDueAt: new Date('2025-11-06T16:00:00Z'),
      remarks: '满意率偏低，职工反映周末场次不足。',
    },
  };
}

export function sampleTerminationNotice(verifyCode = 'ZJ6T-RM7N-8P9Q-0R1S'): Extract<DocumentRequest, { kind: 'termination_notice' }> {
  return {
    kind: 'termination_notice',
    input: {
      ...base,
      verifyCode,
      centre: { name: recruitment.owner },
      partner: SAMPLE_ORGANIZATION,
      lot: performingArts,
      agreement: { signedAt: new Date('2024-01-20T02:00:00Z'), endsAt: new Date('2027-01-20T02:00:00Z'), termMonths: 36, verifyCode: 'ZJ3S-GN4E-D5BT-6H7K' },
      reviews: [
        { kind: '阶段考核', dueAt: new Date('2025-01-20T02:00:00Z'), completedAt: new Date('2025-01-18T02:00:00Z'), result: '限期整改' },
        { kind: '整改复核', dueAt: new Date('2025-07-01T02:00:00Z'), completedAt: new Date('2025-06-30T02:00:00Z'), result: '不合格' },
      ],
      reason: '整改期内职工满意率仍为 52%，免费和优惠名额仅落实承诺的 40%，整改复核不合格。',
      assetHandling: '资产清点定于 2025 年 7 月 15 日进行。',
      effectiveAt: base.issuedAt,
    },
  };
}

export function sampleRequests(): DocumentRequest[] {
  return [
    sampleAwardNotice(),
    sampleRejectionNotice(),
    sampleDraftAgreement(),
    sampleOpeningRecord(),
    sampleEvaluationReport(),
    sampleAnnouncement(),
    sampleAuditCheckpoint(),
    sampleAgreement(),
    sampleSatisfactionPoster(),
    sampleReviewResult(),
    sampleTerminationNotice(),
  ];
}
