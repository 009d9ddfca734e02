import { Type, type Static } from 'typebox';
import { InstantOut } from '../../lib/schemas.ts';

/** The declared values of a bid, after the multipart fields are read. */
export const BidFieldsSchema = Type.Object({
  lot: Type.String({ minLength: 1, maxLength: 32 }),
  publicBenefitRatio: Type.Number({ minimum: 0, maximum: 100 }),
  declarations: Type.Record(Type.String({ maxLength: 32 }), Type.Boolean()),
  summary: Type.String({ maxLength: 2000 }),
});
export type BidFields = Static<typeof BidFieldsSchema>;

/** What a bid version keeps encrypted under its data key (everything declared but the lot). */
export type DeclaredFields = Omit<BidFields, 'lot'>;
/** the HKDF label of the declared fields' encryption: the opening must decrypt with the same */
export const DECLARED_FIELDS_LABEL = 'declared';

const ReceiptFile = Type.Object({ name: Type.String(), size: Type.Integer(), sha256: Type.String() });

/** where a bid stands for its own organisation (stage.ts, standing.ts) */
const BidStandingOut = Type.Object(
  {
    stage: Type.String({ description: 'received, withdrawn, awaiting_opening, not_opened, opened, not_valid, lot_failed, not_qualified, under_evaluation, candidate, not_candidate, selected, not_selected, cancelled' }),
    label: Type.String({ description: '阶段名称，如“评审中”' }),
    note: Type.String({ description: '该阶段对本单位意味着什么' }),
    suspended: Type.Boolean({ description: '招募项目是否暂停中' }),
    score: Type.Union([Type.Object({ mean: Type.Number(), rank: Type.Integer(), of: Type.Integer() }), Type.Null()], {
      description: '公示起：本单位得分和在本类别的排名（从不含其他单位的得分）',
    }),
    notices: Type.Array(Type.Object({ id: Type.String(), kindName: Type.String(), verifyCode: Type.String() }), { description: '定标后发给本单位的通知书' }),
  },
  { description: '本单位响应文件所处阶段' },
);

export const BidCreatedReply = Type.Object({
  bidId: Type.String(),
  version: Type.Integer(),
  receivedAt: InstantOut,
  lot: Type.String(),
  status: Type.String(),
  files: Type.Array(ReceiptFile),
  digest: Type.String(),
  salt: Type.String({ description: '摘要的盐值（32 字节，base64），密封在响应文件中，仅在本回执中提供一次，用于自行验算摘要' }),
  /** SHA-256 (hex) of the bid key the bid was sealed to */
  bidKeyFingerprint: Type.String(),
});

export const ReceiptReply = Type.Object({
  bidId: Type.String(),
  recruitmentId: Type.String(),
  recruitmentTitle: Type.String(),
  organization: Type.String(),
  organizationId: Type.String(),
  lot: Type.String(),
  status: Type.Enum(['submitted', 'withdrawn']),
  version: Type.Integer(),
  receivedAt: InstantOut,
  submissionDeadline: InstantOut,
  fileCount: Type.Integer(),
  files: Type.Union([Type.Array(ReceiptFile), Type.Null()], { description: '文件名、大小和 SHA-256 已密封，开标后显示；开标前为 null' }),
  digest: Type.String(),
  /** SHA-256 (hex) of the bid key the bid was sealed to */
  bidKeyFingerprint: Type.String(),
  standing: BidStandingOut,
});

export const OwnBidsQuery = Type.Object({
  recruitmentId: Type.Optional(Type.String({ format: 'uuid', description: '只列出该招募项目的响应文件' })),
});

export const OwnBidsReply = Type.Array(
  Type.Object({
    bidId: Type.String({ description: '回执编号（响应文件编号，各版本相同）' }),
    recruitmentId: Type.String(),
    recruitmentTitle: Type.String(),
    lot: Type.String(),
    lotName: Type.String(),
    status: Type.Enum(['submitted', 'withdrawn']),
    version: Type.Integer({ description: '最新版本' }),
    receivedAt: Type.Unsafe<Date>({ type: 'string', format: 'date-time', description: '最新版本的接收时间（服务器时间）' }),
    digest: Type.String({ description: '最新版本回执上的摘要' }),
    standing: BidStandingOut,
  }),
);
