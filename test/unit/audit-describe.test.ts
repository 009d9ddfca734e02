import { describe, expect, it } from 'vitest';
import { describeDetails, describeTarget, type Names } from '../../server/domain/audit/describe.ts';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const BID = '33333333-3333-4333-8333-333333333333';
const UNKNOWN = '44444444-4444-4444-8444-444444444444';

const names: Names = {
  of: (id) => ({ [ALICE]: '张纪检', [BOB]: '李专家', [BID]: '杭州市文化服务中心' })[id],
  lot: (key) => ({ arts: '文艺演出', sports: '体育组织' })[key],
};

const DIGEST = 'ab12cd34ef56' + '0'.repeat(52);

describe('describeDetails', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'bid.submit',
      { version: 2, lot: 'arts', digest: DIGEST, files: 1, sessionId: '9f8e7d6c-0000-4000-8000-000000000000' },
      ['第 2 版，类别：文艺演出，摘要 sha256 前 12 位 ab12cd34ef56…，文件 1 个', '登录会话 9f8e7d6c'],
    ],
    ['bid.withdraw', { version: 3 }, ['撤回第 3 版']],
    ['bid.decrypt', { version: 1, verified: false }, ['第 1 版，摘要复核不一致']],
    ['question.ask', { length: 12 }, ['内容 12 字']],
    ['challenge.answer', { upheld: true, length: 40 }, ['质疑成立', '内容 40 字']],
    [
      'recruitment.publish',
      { from: 'draft', to: 'published', inspectorId: ALICE, escrowHolderId: null, decisionRef: '浙职服〔2026〕12 号' },
      ['状态：草稿 → 公告中', '纪检监督员：张纪检', '集体决策：浙职服〔2026〕12 号'],
    ],
    ['recruitment.suspend', { from: 'published', to: 'suspended', reason: '收到举报' }, ['状态：公告中 → 已暂停', '理由：收到举报']],
    ['recruitment.update', { fields: ['submissionDeadline', 'title'] }, ['修改：响应截止时间、标题']],
    [
      'evaluation.sign_off',
      {
        chainHead: DIGEST,
        chainOk: true,
        comment: '同意',
        round: 1,
        ranking: [{ bidId: BID, lot: 'arts', mean: 88.5, rank: 1, recommended: true }],
      },
      ['第 1 轮评审', '签字时操作日志链头 ab12cd34ef56…，核验通过', '意见：同意', '文艺演出 第 1 名：杭州市文化服务中心，平均分 88.5（推荐）'],
    ],
    [
      'panel.replace',
      { recused: BOB, order: 2, replacement: { userId: ALICE, order: 2 }, round: 1 },
      ['第 2 席 李专家 回避，由 张纪检 递补', '第 1 轮评审'],
    ],
    ['qualification.review', { results: { c1: 'pass', c2: 'fail' }, qualified: false, reason: '资质过期', round: 1 }, ['资格审查不合格', '2 项资格条件：通过 1 项，不通过 1 项', '理由：资质过期', '第 1 轮评审']],
    ['auth.login_failed', { email: 'x@example.org', reason: 'wrong_password' }, ['邮箱：x@example.org', '密码错误']],
    ['opening.open', { bids: 3, verified: 3, failedLots: ['sports'], holders: [ALICE, UNKNOWN], escrowReason: null }, [
      '开启响应文件 3 份，摘要复核一致 3 份',
      '流标类别：体育组织',
      '输入口令：张纪检、编号 44444444',
    ]],
  ])('puts %s in words', (action, details, lines) => {
    expect(describeDetails(action, details, names)).toEqual(lines);
  });

  it('shows a field no describer names as "key：value", never as JSON', () => {
    expect(describeDetails('bid.withdraw', { version: 1, note: '误传' }, names)).toEqual(['撤回第 1 版', '说明：误传']);
    expect(
      describeDetails(
        'something.new',
        { count: 3, ok: true, who: ALICE, when: '2026-03-01T02:00:00.000Z', tags: ['a', 'b'], nested: { round: 2 }, empty: null },
        names,
      ),
    ).toEqual(['count：3', 'ok：是', 'who：张纪检', 'when：2026/03/01 10:00:00（北京时间）', 'tags：a、b', 'nested：评审轮次 2', 'empty：无']);
  });

  it('has nothing to say of an entry without details', () => {
    expect(describeDetails('objection.raise', {}, names)).toEqual([]);
  });
});

describe('describeTarget', () => {
  it.each<[string | null, string | null]>([
    [`bid:${BID}`, '响应文件：杭州市文化服务中心'],
    [`user:${ALICE}`, '账号：张纪检'],
    [`question:${UNKNOWN}`, '提问（编号 44444444）'],
    ['escrow', '密钥托管'],
    [null, null],
  ])('names %s', (target, words) => {
    expect(describeTarget(target, names)).toBe(words);
  });
});
