import type { Block } from '../layout.ts';
import { chineseDate, chineseNumber, months, percent } from '../format.ts';
import { recruitmentName, verificationQr, type DocumentBase, type LotInfo, type OrganizationInfo, type Template } from './template.ts';

// The cooperation agreement must state every clause SPEC §1 names (the Shaanxi implementation
// rules and the Zhejiang opinions); MANDATORY_CLAUSES lists their headings in the order they
// appear, and the tests look for each one in the text of the rendered PDF.

export const MANDATORY_CLAUSES = [
  '项目内容',
  '合作方式',
  '合作期限',
  '投资来源',
  '预期收益及收益分配',
  '风险评估',
  '约束与退出机制',
  '合作期满固定资产处置',
  '公益服务名额',
  '服务价格与优惠',
  '负面清单',
  '绩效考核',
] as const;

/** Days the partner has to remove its movable equipment when the cooperation ends (FIXED_ASSET_CLAUSE). */
export const ASSET_REMOVAL_DAYS = 30;

/**
 * The clause on the partner's fixed assets when the cooperation ends or the agreement is
 * terminated: the agreement states it, and the termination notice restates it.
 */
export const FIXED_ASSET_CLAUSE = [
  `合作期满或协议提前解除时，乙方投入的装修改造（与房屋不可分离部分）无偿归甲方所有，乙方不得拆除或要求补偿；可移动的设施设备由乙方在 ${ASSET_REMOVAL_DAYS} 日内自行拆除搬离，并将场地恢复至可正常使用状态，逾期未搬离的视为乙方放弃所有权，由甲方处置。`,
  '双方应在退出时共同清点资产，形成书面交接清单；因乙方违约提前解除的，乙方不得以固定资产投入为由主张补偿。',
] as const;

/** SPEC §1: a cooperation term of at most five years. */
export const MAX_TERM_MONTHS = 60;

export interface AgreementParty {
  name: string;
  address?: string;
  /** 法定代表人 or 负责人 */
  representative?: string;
}

export interface DraftAgreementInput extends DocumentBase {
  /** 甲方: the centre; its name is normally the recruitment's owner */
  centre: AgreementParty;
  /** 乙方: the selected organisation */
  partner: AgreementParty & OrganizationInfo;
  lot: LotInfo;
  /** the services the partner runs, from the lot description and the bid */
  projectContent: string;
  /** where in the centre, when known */
  venue?: string;
  /** 1 … 60 */
  termMonths: number;
  /** the share the bid declared, in percent */
  publicBenefitRatio: number;
  /** the recruitment's minimum share, in percent */
  minPublicBenefitRatio: number;
  /** the version's number, from 1 (the one issued with the award notice) */
  version?: number;
  /** the revisions agreed so far, oldest first: each version's from 2 on */
  revisions?: { version: number; text: string }[];
}

export class AgreementTermError extends RangeError {
  override name = 'AgreementTermError';
}

/** How the draft and the final agreement differ in their wording. */
export interface AgreementVariant {
  title: string;
  /** the last clause: when the agreement takes effect */
  effect: string;
}

const DRAFT: AgreementVariant = {
  title: '合作协议（草案）',
  effect:
    '本草案为招募结果的配套文件，未尽事宜及附件由双方在正式签订前协商确定，但不得违背招募文件和响应文件的实质性内容。' +
    '本协议自双方法定代表人（负责人）或授权代表签字并加盖公章之日起生效，一式四份，双方各执两份。',
};

/** The agreement's text up to its signatures: the parties, the mandatory clauses, the closing ones and the agreed revisions. */
export function agreementBody(input: DraftAgreementInput, variant: AgreementVariant): Block[] {
  if (!Number.isInteger(input.termMonths) || input.termMonths < 1 || input.termMonths > MAX_TERM_MONTHS) {
    throw new AgreementTermError(`agreement term must be 1 to ${MAX_TERM_MONTHS} months, got ${input.termMonths}`);
  }
  const { recruitment, centre, partner, lot } = input;
  const version = input.version ?? 1;
  const share = percent(Math.max(input.publicBenefitRatio, input.minPublicBenefitRatio));

  const clauses: Record<(typeof MANDATORY_CLAUSES)[number], string[]> = {
    项目内容: [
      `乙方在甲方${input.venue ? `${input.venue}` : '提供的服务场地'}开展“${lot.name}”类别的职工公益服务项目，具体内容为：${input.projectContent}`,
      '项目的服务对象以职工群众为主，服务内容、服务标准和服务时间以乙方响应文件及双方确认的年度服务计划为准。',
    ],
    合作方式: [
      '双方采取社会化、市场化合作运营方式：甲方提供场地及必要的公共配套条件，乙方负责项目的策划、组织、运营和日常管理，自主经营、自负盈亏、独立承担法律责任。',
      '双方不因本协议形成劳动关系、隶属关系或合伙关系。乙方不得将本项目整体或部分转包、分包给第三方。',
    ],
    合作期限: [
      `合作期限为 ${months(input.termMonths)}，自本协议生效之日起计算，最长不超过 5 年。期满后如需继续合作，应重新按规定程序组织招募，不得自动续期。`,
    ],
    投资来源: [
      '项目运营所需的装修改造、设施设备、人员及运营资金由乙方自筹解决，资金来源应合法合规。甲方不承担乙方的投资，不为乙方提供担保或融资。',
      '乙方在场地内进行装修改造或添置固定设施的，应事先提交方案并经甲方书面同意。',
    ],
    预期收益及收益分配: [
      '乙方应在签约前提交项目预期收益测算（含收入来源、成本构成和盈亏平衡分析），作为本协议附件。',
      '项目收益的分配方式（包括甲方收取的场地使用费或收益分成比例、计算基数和支付时间）按乙方响应文件中的合作及收益方案，经双方协商在附件中载明；甲方所得收益纳入甲方财务统一管理，专项用于职工服务。',
    ],
    风险评估: [
      '乙方应对项目的经营风险、安全风险（含消防、人员密集场所安全和食品安全等）、舆情风险和政策风险进行评估，制定应急预案，并按规定投保公众责任险等必要险种。',
      '项目经营亏损、债权债务及因乙方原因造成的人身、财产损害，由乙方自行承担，与甲方无涉。',
    ],
    约束与退出机制: [
      '乙方应遵守法律法规、甲方的场地管理制度和本协议约定，接受甲方、工会经费审查委员会及纪检监督部门的监督检查。',
      '有下列情形之一的，甲方有权解除本协议，乙方应在甲方通知的期限内退出场地：（一）违反负面清单；（二）阶段考核不合格且整改后仍不合格；（三）发生重大安全责任事故或严重损害职工权益、甲方声誉的事件；（四）乙方丧失招募文件规定的资格条件。乙方主动提前退出的，应提前 3 个月书面通知甲方，并妥善处理已售服务和会员权益。',
    ],
    合作期满固定资产处置: [...FIXED_ASSET_CLAUSE],
    公益服务名额: [
      `乙方承诺将不低于 ${share} 的服务名额（按服务人次或场次计）以免费或优惠方式提供给职工，该比例不低于招募文件规定的最低比例 ${percent(input.minPublicBenefitRatio)}，且不低于乙方响应文件中的承诺。`,
      '公益服务名额的发放办法由甲方确定并公示，乙方应按月报送名额使用台账，接受甲方核查。',
    ],
    服务价格与优惠: [
      '乙方应在服务场所和甲方指定的平台公示服务项目、开放时间、办理流程和收费标准，价格调整须提前报甲方备案并公示。',
      '乙方对劳动模范和工匠人才、困难职工、工会会员分别给予价格优惠，优惠幅度不低于乙方响应文件的承诺，并列入本协议附件；优惠不得以降低服务质量为代价。',
    ],
    负面清单: [
      '乙方不得有下列行为：（一）以合作为名变相出租、转租或转包、分包场地及项目；（二）改变甲方的名称、产权、隶属关系、服务功能和主营业务；（三）使用甲方的公文、印章、发票和银行账户，或以甲方名义对外签订合同、开展经营活动；（四）对外输出甲方品牌或以甲方品牌招揽业务；（五）开展与职工公益服务宗旨不符或法律法规禁止的经营活动。',
    ],
    绩效考核: [
      '甲方以职工满意度为核心指标，结合公益名额落实、服务数量和质量、安全管理和合规经营等情况，对乙方实行阶段考核（每年至少一次）和合作期满终期考核，考核结果向职工公开。',
      '阶段考核不合格的，乙方应在甲方规定的期限内整改；整改后仍不合格的，本协议终止。终期考核结果作为乙方今后参与甲方招募的重要参考。',
    ],
  };

  const blocks: Block[] = [
    { kind: 'title', text: variant.title, subtitle: `${recruitmentName(recruitment)} · ${lot.name}${version > 1 ? ` · 第 ${version} 版` : ''}` },
    {
      kind: 'fields',
      rows: [
        ['甲方', centre.name],
        ...optionalRow('甲方地址', centre.address),
        ...optionalRow('甲方负责人', centre.representative),
        ['乙方', partner.name],
        ['乙方统一社会信用代码', partner.uscc],
        ...optionalRow('乙方地址', partner.address),
        ...optionalRow('乙方法定代表人', partner.representative),
      ],
    },
    {
      kind: 'paragraph',
      indent: true,
      text:
        `根据${recruitmentName(recruitment)}的招募文件、乙方的响应文件、评审结果及入选通知书，` +
        '为推进职工服务阵地社会化、市场化运营，更好地为职工提供公益性、普惠性服务，甲乙双方在平等自愿、' +
        '诚实信用的基础上，经协商一致，订立本协议。',
    },
  ];
  MANDATORY_CLAUSES.forEach((heading, index) => {
    blocks.push({ kind: 'heading', text: `第${chineseNumber(index + 1)}条　${heading}` });
    for (const text of clauses[heading]) blocks.push({ kind: 'paragraph', indent: true, text });
  });
  const closing = [
    ['违约责任', '任何一方违反本协议约定的，应承担相应的违约责任，赔偿由此给对方造成的损失。'],
    ['争议解决', '因本协议发生的争议，双方应协商解决；协商不成的，向甲方所在地有管辖权的人民法院提起诉讼。'],
    ['其他', variant.effect],
  ] as const;
  closing.forEach(([heading, text], index) => {
    blocks.push({ kind: 'heading', text: `第${chineseNumber(MANDATORY_CLAUSES.length + index + 1)}条　${heading}` });
    blocks.push({ kind: 'paragraph', indent: true, text });
  });
  const revisions = input.revisions ?? [];
  if (revisions.length > 0) {
    blocks.push({ kind: 'heading', text: `第${chineseNumber(MANDATORY_CLAUSES.length + closing.length + 1)}条　补充约定（经协商修订）` });
    for (const revision of revisions) blocks.push({ kind: 'paragraph', indent: true, text: `（第 ${revision.version} 版）${revision.text}` });
  }
  return blocks;
}

export const draftAgreement: Template<DraftAgreementInput> = {
  kind: 'draft_agreement',
  version: '1.1',
  title: '合作协议（草案）',
  about: (input) => input.partner.name,
  build(input, context) {
    return [
      ...agreementBody(input, DRAFT),
      { kind: 'gap', height: 6 },
      {
        kind: 'table',
        keepWithNext: true,
        columns: [
          { header: '甲方（盖章）', width: 1 },
          { header: '乙方（盖章）', width: 1 },
        ],
        rows: [
          [input.centre.name, input.partner.name],
          ['法定代表人（负责人）或授权代表：\n\n\n签订日期：　　　　年　　月　　日', '法定代表人或授权代表：\n\n\n签订日期：　　　　年　　月　　日'],
        ],
      },
      {
        kind: 'signature',
        lines: [`出具单位：${input.recruitment.owner}（电子签名）`, `出具日期：${chineseDate(input.issuedAt)}`],
        qr: verificationQr(input, context),
      },
    ];
  },
};

function optionalRow(label: string, value: string | undefined): [string, string][] {
  return value ? [[label, value]] : [];
}
